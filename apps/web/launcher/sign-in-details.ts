interface SignInDetails {
  url: string;
  owner: { created: boolean; email: string; generatedPassword?: string };
  passwordFromEnv: boolean;
}

export function printSignInDetails({ url, owner, passwordFromEnv }: SignInDetails): void {
  const password = owner.generatedPassword
    ? `${owner.generatedPassword}   (generated now and shown only this once: keep it)`
    : owner.created && passwordFromEnv
      ? "the value of BAILEY_ADMIN_PASSWORD"
      : "the password shown at first start (the owner already exists; BAILEY_ADMIN_PASSWORD applies only to a new database)";
  console.log(["", "  Bailey is running.", `  Dashboard: ${url}`, `  Sign in:   ${owner.email}`, `  Password:  ${password}`, "  Press Ctrl-C to stop.", ""].join("\n"));
}
