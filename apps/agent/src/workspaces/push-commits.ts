import type { GitAccess } from "./git-access";
import { runGit } from "./git-command";
import { withRemoteEnv } from "./remote-env";
import type { WorkspaceLayout } from "./workspace-layout";

/**
 * Pushes the run's commits to `branch` of the workspace's remote with the clone's credentials,
 * from the trusted bare repository made at clone time (layout.pushRepository): the commits come
 * into it from commits.bundle with every object checked (fetch.fsckObjects), so the push runs in
 * a repository whose config, hooks and objects the run never touched. Never forced: a branch
 * that moved meanwhile is reported, not overwritten.
 */
export async function pushCommits(options: {
  layout: WorkspaceLayout;
  access: GitAccess | null;
  remote: string;
  bundle: string;
  commit: string;
  branch: string;
  tmpfsRoot: string;
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<void> {
  const { layout } = options;
  const git = (args: string[], env: Record<string, string> = {}) =>
    runGit({
      args,
      cwd: layout.pushRepository,
      env,
      redact: options.access?.redact ?? [],
      ...(options.log ? { log: options.log } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const ref = "refs/bailey/run-head";
  // A bundle is read through git's file transport: allowed for this fetch of the agent's own results file.
  await git(["-c", "protocol.file.allow=always", "-c", "fetch.fsckObjects=true", "fetch", "--quiet", "--no-tags", options.bundle, `+HEAD:${ref}`]);
  const fetched = (await git(["rev-parse", "--verify", `${ref}^{commit}`])).toString("utf8").trim();
  if (fetched !== options.commit) throw new Error(`commits.bundle holds ${fetched}, not the run's HEAD ${options.commit}`);
  await withRemoteEnv(options.access, { tmpfsRoot: options.tmpfsRoot, runId: layout.runId, knownHostsFile: layout.knownHosts }, (env) =>
    git(["push", "--no-verify", "--quiet", "--", options.remote, `${options.commit}:refs/heads/${options.branch}`], env),
  );
}
