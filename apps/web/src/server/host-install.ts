import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { publicKeyOf } from "@bailey/agent-client";
import { AppError, hostInstallCommand } from "@bailey/core";
import { serverEnv } from "~/env";

// `next start` runs in apps/web; the agent bundle and the installer live beside it in the repo.
export const agentBundlePath = () => serverEnv().BAILEY_AGENT_BUNDLE ?? path.resolve(/* turbopackIgnore: true */ process.cwd(), "../agent/dist/bailey-agent.cjs");
export const installScriptPath = () => serverEnv().BAILEY_INSTALL_SCRIPT ?? path.resolve(/* turbopackIgnore: true */ process.cwd(), "../../infra/install.sh");

let bundleDigest: { mtimeMs: number; sha256: string } | undefined;

/** The agent file hosts download, and its SHA-256 the install command pins. */
export function agentBundle(): { path: string; sha256: string } {
  const file = agentBundlePath();
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    throw new AppError("UNAVAILABLE", `The agent bundle is missing at ${file}; build it with: npm run build -w @bailey/agent (npm start does this).`);
  }
  if (bundleDigest?.mtimeMs !== mtimeMs) bundleDigest = { mtimeMs, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
  return { path: file, sha256: bundleDigest.sha256 };
}

export function controlPlanePublicKey(): string {
  const keyFile = serverEnv().BAILEY_SSH_PRIVATE_KEY_FILE;
  if (!keyFile) throw new AppError("UNAVAILABLE", "No SSH key is configured for reaching hosts: set BAILEY_SSH_PRIVATE_KEY_FILE (npm start makes one in the data directory).");
  return publicKeyOf(readFileSync(keyFile, "utf8"));
}

export function installCommandFor({ token, hostName }: { token: string; hostName: string }): string {
  return hostInstallCommand({ publicUrl: serverEnv().NEXTAUTH_URL, token, hostName, agentSha256: agentBundle().sha256, controlPlanePublicKey: controlPlanePublicKey() });
}
