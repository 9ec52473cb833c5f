/** Where the run's commits came from and went: the repository, the ref, base → head, and the pushed branch. */
export interface ResultsWorkspace {
  workspace: { git: string | null; ref: string | null } | null;
  baseCommit: string | null;
  headCommit: string | null;
  pushed: { branch: string; commit: string } | null;
}

const shortCommit = (commit: string) => commit.slice(0, 12);

/**
 * The branch's page on a forge Bailey knows the URL scheme of (GitHub, GitLab, a self-hosted
 * gitlab.* host), for an https remote only: any other remote (git://, ssh, an unknown forge) has
 * no page we could name, so the branch is shown as text.
 */
export function branchPageOf(git: string | null | undefined, branch: string): string | null {
  if (!git) return null;
  let url: URL;
  try {
    url = new URL(git);
  } catch {
    return null;
  }
  if (url.protocol !== "https:") return null;
  const repository = url.pathname.replace(/\/+$/, "").replace(/\.git$/, "");
  if (!/^\/[^/]+\/.+/.test(repository)) return null;
  // Never put credentials a remote URL might carry into a link.
  const origin = `https://${url.host}`;
  const encodedBranch = branch.split("/").map(encodeURIComponent).join("/");
  if (url.hostname === "github.com") return `${origin}${repository}/tree/${encodedBranch}`;
  if (url.hostname === "gitlab.com" || url.hostname.startsWith("gitlab.")) return `${origin}${repository}/-/tree/${encodedBranch}`;
  return null;
}

/** The remote without any user:password it carries, for display. */
function displayRemote(git: string): string {
  try {
    const url = new URL(git);
    if (url.username || url.password) {
      url.username = "";
      url.password = "";
    }
    return url.toString();
  } catch {
    return git;
  }
}

export function RunResultsWorkspace({ results }: { results: ResultsWorkspace }) {
  const { workspace, baseCommit, headCommit, pushed } = results;
  if (!workspace) return null;
  const branchPage = pushed ? branchPageOf(workspace.git, pushed.branch) : null;
  return (
    <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm" data-testid="run-results-workspace">
      <dt className="text-zinc-500">Repository</dt>
      <dd className="break-all font-mono text-xs">{workspace.git ? displayRemote(workspace.git) : "an empty workspace (no repository)"}</dd>
      {workspace.git ? (
        <>
          <dt className="text-zinc-500">Ref</dt>
          <dd className="font-mono text-xs">{workspace.ref ?? "the remote's default branch"}</dd>
          <dt className="text-zinc-500">Commits</dt>
          <dd className="font-mono text-xs" data-testid="run-results-commits">
            {baseCommit ? <span title={baseCommit}>{shortCommit(baseCommit)}</span> : <span className="font-sans text-zinc-500">not cloned yet</span>}
            {" → "}
            {headCommit ? <span title={headCommit}>{shortCommit(headCommit)}</span> : <span className="font-sans text-zinc-500">not known yet</span>}
            {baseCommit && headCommit && baseCommit === headCommit ? <span className="font-sans text-zinc-500"> (no new commits)</span> : null}
          </dd>
        </>
      ) : null}
      {pushed ? (
        <>
          <dt className="text-zinc-500">Pushed</dt>
          <dd className="text-xs" data-testid="run-results-pushed">
            {branchPage ? (
              <a href={branchPage} target="_blank" rel="noreferrer noopener" className="font-mono underline underline-offset-4">
                {pushed.branch}
              </a>
            ) : (
              <span className="font-mono">{pushed.branch}</span>
            )}{" "}
            at{" "}
            <span className="font-mono" title={pushed.commit}>
              {shortCommit(pushed.commit)}
            </span>
          </dd>
        </>
      ) : null}
    </dl>
  );
}
