import { readdir, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Where one run's workspace and results live on the host, in the agent's state directory beside
 * the run store: `<stateDir>/workspaces/<runId>/`, root-only. Only `workspace/` is mounted into
 * the run; everything else (the trusted copy of the clone's .git/config, the SSH known hosts, the
 * collected results and their manifest) is out of the run's reach.
 */
export class WorkspaceLayout {
  readonly root: string;
  constructor(
    readonly workspacesDir: string,
    readonly runId: string,
  ) {
    this.root = path.join(workspacesDir, runId);
  }

  static of(stateDir: string, runId: string): WorkspaceLayout {
    return new WorkspaceLayout(workspacesDirIn(stateDir), runId);
  }

  get workspace(): string {
    return path.join(this.root, "workspace");
  }
  /** The clone's .git/config as git wrote it, before the run could touch it. */
  get trustedGitConfig(): string {
    return path.join(this.root, "git-config");
  }
  /** What the clone started from: {remote, baseCommit}. */
  get origin(): string {
    return path.join(this.root, "origin.json");
  }
  get knownHosts(): string {
    return path.join(this.root, "known_hosts");
  }
  get results(): string {
    return path.join(this.root, "results");
  }
  /** Written last, atomically: its presence means the results are final. */
  get manifest(): string {
    return path.join(this.root, "results.json");
  }
  /** A bare repository holding only the starting commit (shallow), made at clone time for spec.push: the run's commits reach it from commits.bundle, checked, and are pushed from there. */
  get pushRepository(): string {
    return path.join(this.root, "push.git");
  }
  /** Scratch space for collection (a temporary index, the push's bare repository); never inside the workspace. */
  get scratch(): string {
    return path.join(this.root, "scratch");
  }
}

export const workspacesDirIn = (stateDir: string) => path.join(stateDir, "workspaces");

/** Removes a run's workspace directory; answers whether there was one. */
export async function removeWorkspace(layout: WorkspaceLayout): Promise<boolean> {
  const existed = await readdir(layout.root).then(
    () => true,
    () => false,
  );
  await rm(layout.root, { recursive: true, force: true });
  return existed;
}

/** The run IDs with a workspace directory on this host. */
export async function runsWithWorkspaces(stateDir: string): Promise<string[]> {
  return (await readdir(workspacesDirIn(stateDir), { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}
