import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { RuntimeType } from "@bailey/runtime";
import { gitSearchPath } from "./git-command";

/** Linux capability bits the agent needs to hand a workspace to the run's user and read what it left. */
const capChown = 0;
const capDacOverride = 1;
const capFowner = 3;

export interface WorkspaceSupport {
  ok: boolean;
  /** Why not, with what to do. */
  reason: string | null;
}

/**
 * Whether this host can run workspaces: a runtime that binds host directories (Docker, Podman),
 * the host's git, and an agent that may chown the workspace to the run's user and read and
 * remove what that user wrote (root, or CAP_CHOWN, CAP_DAC_OVERRIDE and CAP_FOWNER).
 */
export async function workspaceSupport(runtime: RuntimeType): Promise<WorkspaceSupport> {
  if (runtime !== "docker" && runtime !== "podman") {
    return { ok: false, reason: `The ${runtime} runtime cannot bind a host directory into a run: workspaces, artifacts and push need Docker or Podman on the host.` };
  }
  const git = await gitVersion();
  if (!git) return { ok: false, reason: "git is not on this host's PATH, and the agent clones workspaces with it: apt-get install -y git (or dnf install -y git), then restart the agent." };
  if (!(await mayChownAndRead())) {
    return {
      ok: false,
      reason:
        "The agent can neither chown a workspace to the run's user nor read what that user wrote (it is not root and lacks CAP_CHOWN, CAP_DAC_OVERRIDE and CAP_FOWNER): re-run infra/install.sh, whose unit gives it those (AmbientCapabilities), or run the agent as root.",
    };
  }
  return { ok: true, reason: null };
}

let cachedGitVersion: Promise<string | null> | null = null;

/** `git --version`, or null without git; asked once per agent process. */
export function gitVersion(): Promise<string | null> {
  cachedGitVersion ??= new Promise((resolve) => execFile("git", ["--version"], { timeout: 10_000, env: { PATH: gitSearchPath } }, (error, stdout) => resolve(error ? null : stdout.trim())));
  return cachedGitVersion;
}

async function mayChownAndRead(): Promise<boolean> {
  if (process.getuid?.() === 0) return true;
  const status = await readFile("/proc/self/status", "utf8").catch(() => "");
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (!effective) return false;
  const bits = BigInt(`0x${effective}`);
  return [capChown, capDacOverride, capFowner].every((bit) => (bits >> BigInt(bit)) & 1n);
}
