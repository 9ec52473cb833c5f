import { formatBytes } from "~/lib/format-bytes";

/** One stored result file as `runs.results` lists it. */
export interface ResultFile {
  name: string;
  kind: "diff" | "bundle" | "artifact";
  sizeBytes: number;
  sha256: string;
  stored: boolean;
}

const artifactPrefix = "artifacts/";

/** An artifact's path relative to the workdir (its result name without `artifacts/`). */
export function artifactPathOf(file: Pick<ResultFile, "name">): string {
  return file.name.startsWith(artifactPrefix) ? file.name.slice(artifactPrefix.length) : file.name;
}

/** Where the REST API serves a result file (the session cookie authorizes it like the logs). */
export function resultDownloadUrl(runId: string, file: Pick<ResultFile, "name" | "kind">): string {
  const base = `/api/v1/runs/${encodeURIComponent(runId)}`;
  if (file.kind === "diff") return `${base}/diff`;
  if (file.kind === "bundle") return `${base}/bundle`;
  return `${base}/artifacts/${artifactPathOf(file).split("/").map(encodeURIComponent).join("/")}`;
}

/** What an unstored file says: still shipping from the host, or removed by the team's retention. */
function unstoredText(expired: boolean): string {
  return expired ? "removed by retention" : "not stored yet";
}

function DownloadLink({ runId, file, label, testId, expired }: { runId: string; file: ResultFile; label: string; testId: string; expired: boolean }) {
  if (!file.stored) return <span className="text-xs text-zinc-500">{unstoredText(expired)}</span>;
  return (
    <a href={resultDownloadUrl(runId, file)} download className="text-sm font-medium underline underline-offset-4" aria-label={label} data-testid={testId}>
      Download
    </a>
  );
}

/** The commits bundle (for `git fetch`/`git pull` of the run's commits) and the artifacts, each with its size, SHA-256 and a download. */
export function RunResultsFiles({ runId, files, expired }: { runId: string; files: ResultFile[]; expired: boolean }) {
  const bundle = files.find((file) => file.kind === "bundle");
  const artifacts = files.filter((file) => file.kind === "artifact");
  return (
    <div className="space-y-4">
      {bundle ? (
        <p className="flex flex-wrap items-center gap-3 text-sm" data-testid="run-results-bundle">
          <span>
            Commits bundle <span className="text-zinc-500">({formatBytes(bundle.sizeBytes)})</span>
          </span>
          <span className="text-xs text-zinc-500">
            in a clone, <code>git bundle list-heads commits.bundle</code> names its heads and <code>git fetch commits.bundle &lt;head&gt;</code> brings the run&apos;s commits
          </span>
          <DownloadLink runId={runId} file={bundle} label="Download the commits bundle" testId="run-bundle-download" expired={expired} />
        </p>
      ) : null}
      <div className="space-y-2">
        <h3 className="text-sm font-semibold" id="run-artifacts-heading">
          Artifacts
        </h3>
        {artifacts.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="run-artifacts-empty">
            No artifacts.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
            <table className="w-full text-left text-sm" aria-labelledby="run-artifacts-heading" data-testid="run-artifacts">
              <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
                <tr>
                  <th className="px-4 py-2 font-medium">Path</th>
                  <th className="px-4 py-2 text-right font-medium">Size</th>
                  <th className="px-4 py-2 font-medium">SHA-256</th>
                  <th className="px-4 py-2" />
                </tr>
              </thead>
              <tbody>
                {artifacts.map((file) => {
                  const path = artifactPathOf(file);
                  return (
                    <tr key={file.name} className="border-t border-zinc-200 dark:border-zinc-800" data-artifact={path}>
                      <td className="break-all px-4 py-2 font-mono text-xs">{path}</td>
                      <td className="px-4 py-2 text-right tabular-nums">{formatBytes(file.sizeBytes)}</td>
                      <td className="px-4 py-2 font-mono text-xs text-zinc-500" title={file.sha256}>
                        {file.sha256.slice(0, 16)}…
                      </td>
                      <td className="px-4 py-2 text-right">
                        <DownloadLink runId={runId} file={file} label={`Download ${path}`} testId="run-artifact-download" expired={expired} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}
