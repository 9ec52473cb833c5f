import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** A real agent process serving `hostId` on a Unix socket in `dir` (the `local` transport). */
export async function startLocalAgent(dir: string, runtime: "docker" | "mock", hostId: string, env: Record<string, string> = {}): Promise<{ socketPath: string; child: ChildProcess }> {
  const socketPath = path.join(dir, `${hostId}.sock`);
  await rm(socketPath, { force: true }); // a killed agent leaves its socket file behind
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "apps/agent/src/main.ts"), "serve"], {
    cwd: repoRoot,
    stdio: "ignore",
    env: { ...process.env, BAILEY_AGENT_SOCKET: socketPath, BAILEY_AGENT_STATE_DIR: path.join(dir, `${hostId}-state`), BAILEY_HOST_ID: hostId, BAILEY_RUNTIME: runtime, ...env },
  });
  for (let i = 0; i < 200 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!existsSync(socketPath)) throw new Error("the agent did not start");
  return { socketPath, child };
}
