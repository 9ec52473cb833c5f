import { copyFile, lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { WorkspaceLayout } from "./workspace-layout";

/** The workspace's repository is not one git may be run on safely; the reason says what was found. */
export class UntrustedRepositoryError extends Error {
  override name = "UntrustedRepositoryError";
}

/**
 * The run's agent had the workspace, .git included, writable: anything git reads from there is
 * the agent's choice. Before the host's git touches it (as root, outside any sandbox):
 * - `.git` must be a real directory: a symlink or a gitdir file would point git at any host path,
 *   and so would a symlink inside it (objects/ to a host directory): those are removed;
 * - `.git/config` is replaced by the copy saved at clone time: core.fsmonitor, core.hooksPath,
 *   core.sshCommand, diff/filter drivers and aliases there are commands git would run;
 * - hooks, info/attributes (filter and diff drivers by path), objects/info/alternates (reads of
 *   any host repository) and commondir (a worktree's pointer elsewhere) are removed.
 * Collection then runs git with hardenedGitSettings, GIT_CONFIG_NOSYSTEM/GLOBAL and
 * --no-ext-diff/--no-textconv, so nothing left in the tree (.gitattributes) can name a program.
 */
export async function sanitizeGitDir(layout: WorkspaceLayout): Promise<void> {
  const gitDir = path.join(layout.workspace, ".git");
  const workspace = await lstat(layout.workspace).catch(() => null);
  if (!workspace?.isDirectory()) throw new UntrustedRepositoryError("the workspace directory is gone or is not a directory");
  const info = await lstat(gitDir).catch(() => null);
  if (!info) throw new UntrustedRepositoryError("the run removed the workspace's .git directory");
  if (info.isSymbolicLink()) throw new UntrustedRepositoryError("the run replaced the workspace's .git with a symbolic link; it is not followed");
  if (!info.isDirectory()) throw new UntrustedRepositoryError("the run replaced the workspace's .git directory with a file (a gitdir pointer); it is not followed");
  // A symlink (or FIFO, socket, device) anywhere in .git would let git read or write a host path, or hang.
  await removeAllButFilesAndDirectories(gitDir);
  for (const name of ["config", "hooks", "info/attributes", "objects/info/alternates", "objects/info/http-alternates", "commondir", "gitdir", "index.lock", "shallow.lock"]) {
    await rm(path.join(gitDir, name), { recursive: true, force: true });
  }
  await copyFile(layout.trustedGitConfig, path.join(gitDir, "config"));
}

async function removeAllButFilesAndDirectories(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await removeAllButFilesAndDirectories(child);
    else if (!entry.isFile()) await rm(child, { force: true });
  }
}
