import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import type { RunWorkspace } from "@bailey/protocol";
import { chownTree } from "./file-tree";
import type { GitAccess } from "./git-access";
import { GitCommandError, runGit } from "./git-command";
import { withRemoteEnv } from "./remote-env";
import type { WorkspaceLayout } from "./workspace-layout";

export interface PrepareWorkspaceOptions {
  layout: WorkspaceLayout;
  workspace: RunWorkspace;
  access: GitAccess | null;
  /** Who the run's container runs as: the workspace becomes theirs. */
  owner: { uid: number; gid: number };
  /** Where the deploy key may be written while git runs (the run's tmpfs root). */
  tmpfsRoot: string;
  /** spec.push: keep a trusted shallow copy of the starting commit to push the run's commits from. */
  forPush?: boolean;
  /** git's progress and messages (the run's build/provision log). */
  log?: (line: string) => void;
  timeoutMs?: number;
}

/** What the workspace started as (saved outside the workspace, where the run cannot rewrite it). */
export interface WorkspaceOrigin {
  remote: string | null;
  baseCommit: string | null;
}

/** A clone that failed: which remote, and git's message without credentials. */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
}

const commitSha = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Makes the run's workspace directory: empty, or a clone of workspace.git at workspace.ref made
 * by the host's git, owned by the run's user. Leaves nothing behind when it fails.
 */
export async function prepareWorkspace(options: PrepareWorkspaceOptions): Promise<WorkspaceOrigin> {
  const { layout, workspace } = options;
  await rm(layout.root, { recursive: true, force: true });
  await mkdir(layout.workspacesDir, { recursive: true, mode: 0o700 });
  await mkdir(layout.root, { mode: 0o700 });
  try {
    await mkdir(layout.workspace, { mode: 0o755 });
    const origin: WorkspaceOrigin = { remote: workspace.git ?? null, baseCommit: null };
    if (workspace.git) {
      origin.baseCommit = await cloneInto(options, workspace.git);
      // The run may rewrite .git/config (fsmonitor, hooksPath, aliases...): results are collected with this copy instead.
      await copyFile(`${layout.workspace}/.git/config`, layout.trustedGitConfig);
      if (options.forPush) await makePushRepository(options, origin.baseCommit);
    }
    await writeFile(layout.origin, JSON.stringify(origin), { mode: 0o600 });
    await chownTree(layout.workspace, options.owner);
    return origin;
  } catch (error) {
    await rm(layout.root, { recursive: true, force: true });
    if (error instanceof GitCommandError) {
      throw new WorkspaceError(`Cloning ${workspace.git}${workspace.ref ? ` at ${workspace.ref}` : ""} into the run's workspace failed: ${error.message}`);
    }
    throw error;
  }
}

async function cloneInto(options: PrepareWorkspaceOptions, remote: string): Promise<string> {
  const { layout, workspace, log, timeoutMs } = options;
  const redact = options.access?.redact ?? [];
  const git = (args: string[], env: Record<string, string> = {}, cwd = layout.workspace) => runGit({ args, cwd, env, redact, ...(log ? { log } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  const ref = workspace.ref;
  const pinned = ref !== undefined && commitSha.test(ref);
  const depth = workspace.depth ? [`--depth=${workspace.depth}`] : [];
  return withRemoteEnv(options.access, { tmpfsRoot: options.tmpfsRoot, runId: layout.runId, knownHostsFile: layout.knownHosts }, async (remoteEnv) => {
    log?.(`cloning ${remote}${ref ? ` at ${ref}` : ""}${workspace.depth ? ` (depth ${workspace.depth})` : ""}`);
    await git(["clone", "--no-hardlinks", "--quiet", ...depth, ...(ref && !pinned ? ["--branch", ref] : []), "--", remote, layout.workspace], remoteEnv, layout.root);
    if (pinned) {
      const present = await git(["cat-file", "-e", `${ref}^{commit}`]).then(
        () => true,
        () => false,
      );
      // A shallow clone (or a commit on no branch) may not have it: asked for by name.
      if (!present) await git(["fetch", "--quiet", ...depth, "origin", ref], remoteEnv);
      await git(["checkout", "--quiet", "--detach", ref]);
    }
    return (await git(["rev-parse", "HEAD"])).toString("utf8").trim();
  });
}

/**
 * While the clone is still the agent's own (before the run may touch it): a bare repository with
 * the starting commit only (depth 1, from the clone, no network). The push later fetches the
 * run's commits into it from commits.bundle, whose prerequisite that commit is.
 */
async function makePushRepository(options: PrepareWorkspaceOptions, baseCommit: string): Promise<void> {
  const { layout } = options;
  const git = (args: string[], cwd: string) => runGit({ args, cwd, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  await git(["init", "--quiet", "--bare", layout.pushRepository], layout.root);
  // file:// (not a path) so --depth applies; allowed for this one fetch from the agent's own clone.
  await git(["-c", "protocol.file.allow=always", "fetch", "--quiet", "--depth=1", "--no-tags", `file://${layout.workspace}`, baseCommit], layout.pushRepository);
}
