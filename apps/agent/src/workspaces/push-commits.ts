import type { GitAccess } from "./git-access";
import { runGit } from "./git-command";
import { withRemoteEnv } from "./remote-env";
import type { WorkspaceLayout } from "./workspace-layout";

/**
 * Pushes the run's HEAD to `branch` of the workspace's remote with the clone's credentials.
 * From the workspace's repository only after sanitizeGitDir (trusted config, no hooks, no
 * alternates, no links in .git) and with the hardened settings: the same trust the bundle was
 * made with. A temporary bare repository fed from commits.bundle would need the starting
 * commit's objects first (the bundle's prerequisites), that is a second fetch of the remote.
 * Never forced: a branch that moved meanwhile is reported, not overwritten.
 */
export async function pushCommits(options: {
  layout: WorkspaceLayout;
  access: GitAccess | null;
  remote: string;
  commit: string;
  branch: string;
  tmpfsRoot: string;
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<void> {
  const { layout } = options;
  await withRemoteEnv(options.access, { tmpfsRoot: options.tmpfsRoot, runId: layout.runId, knownHostsFile: layout.knownHosts }, (env) =>
    runGit({
      args: ["push", "--no-verify", "--quiet", "--", options.remote, `${options.commit}:refs/heads/${options.branch}`],
      cwd: layout.workspace,
      env,
      redact: options.access?.redact ?? [],
      ...(options.log ? { log: options.log } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    }),
  );
}
