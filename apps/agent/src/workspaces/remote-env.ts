import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type GitAccess, gitSshCommand, isSshRemote } from "./git-access";

/**
 * Runs `step` with the environment a git that talks to the remote needs. A deploy key is written
 * 0600 to the run's tmpfs directory (never the state directory) for exactly that long.
 */
export async function withRemoteEnv<T>(access: GitAccess | null, where: { tmpfsRoot: string; runId: string; knownHostsFile: string }, step: (env: Record<string, string>) => Promise<T>): Promise<T> {
  if (!access) return step({});
  const env: Record<string, string> = { ...access.configEnv };
  if (!isSshRemote(access.remote)) return step(env);
  // The run's tmpfs directory is root-only (run-tmpfs.ts); made here when the run has no secret files or proxy.
  await mkdir(where.tmpfsRoot, { recursive: true, mode: 0o700 });
  await mkdir(path.join(where.tmpfsRoot, where.runId), { recursive: true, mode: 0o700 });
  const keyDir = path.join(where.tmpfsRoot, where.runId, `git-ssh-${process.pid}-${Date.now()}`);
  await mkdir(keyDir, { mode: 0o700 });
  try {
    let keyFile: string | null = null;
    if (access.sshKey) {
      keyFile = path.join(keyDir, "key");
      await writeFile(keyFile, access.sshKey, { mode: 0o600, flag: "wx" });
    }
    env.GIT_SSH_COMMAND = gitSshCommand(keyFile, where.knownHostsFile);
    return await step(env);
  } finally {
    await rm(keyDir, { recursive: true, force: true });
  }
}
