import { type LogFormat, logger } from "@bailey/core";

interface SignInDetails {
  url: string;
  owner: { created: boolean; email: string; generatedPassword?: string };
  passwordFromEnv: boolean;
  format: LogFormat;
}

/** A block for a person at a terminal; one structured line where logs are collected (`docker logs` shows it). */
export function printSignInDetails({ url, owner, passwordFromEnv, format }: SignInDetails): void {
  const password = owner.generatedPassword
    ? `${owner.generatedPassword}   (generated now and shown only this once: keep it)`
    : owner.created && passwordFromEnv
      ? "the value of BAILEY_ADMIN_PASSWORD"
      : "the password shown at first start (the owner already exists; BAILEY_ADMIN_PASSWORD applies only to a new database)";
  if (format === "json") {
    // The same words as the block, on one line: what people grep a container's log for.
    logger().child({ component: "launcher" }).info({ dashboard: url, signIn: owner.email }, `Bailey is running. Dashboard: ${url}  Sign in: ${owner.email}  Password: ${password}`);
    return;
  }
  console.log(["", "  Bailey is running.", `  Dashboard: ${url}`, `  Sign in:   ${owner.email}`, `  Password:  ${password}`, "  Press Ctrl-C to stop.", ""].join("\n"));
}
