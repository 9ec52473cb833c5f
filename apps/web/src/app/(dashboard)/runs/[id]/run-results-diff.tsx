"use client";

import { parse } from "diff2html";
import type { DiffFile } from "diff2html/lib-esm/types";
import { useEffect, useState } from "react";
import { formatBytes } from "~/lib/format-bytes";
import { DiffFileBody, diffFilePath } from "./run-results-diff-file";
import { type ResultFile, resultDownloadUrl } from "./run-results-files";

/** Past this the patch is only offered as a download: parsing and drawing it would stall the page. */
export const maxShownDiffBytes = 4 * 1024 * 1024;
/** The most files drawn; the rest are counted, and the whole patch downloads. */
export const maxShownDiffFiles = 50;
/** A file with more changed lines than this starts collapsed (drawn when opened), and so does every file once this many lines are open. */
const maxOpenLinesPerFile = 400;
const maxOpenLinesInAll = 3000;

type Loaded = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; files: DiffFile[] };

function changedLines(file: DiffFile): number {
  return file.addedLines + file.deletedLines;
}

/** Which of the shown files start open: small ones, until the page holds enough lines. */
function initiallyOpen(files: DiffFile[]): boolean[] {
  let open = 0;
  return files.map((file) => {
    const lines = changedLines(file);
    if (lines > maxOpenLinesPerFile || open + lines > maxOpenLinesInAll) return false;
    open += lines;
    return true;
  });
}

function Counts({ file }: { file: Pick<DiffFile, "addedLines" | "deletedLines" | "isBinary"> }) {
  if (file.isBinary) return <span className="text-xs text-zinc-500">binary</span>;
  return (
    <span className="font-mono text-xs tabular-nums">
      <span className="text-emerald-700 dark:text-emerald-400">
        +{file.addedLines}
        <span className="sr-only"> lines added</span>
      </span>{" "}
      <span className="text-red-700 dark:text-red-400">
        −{file.deletedLines}
        <span className="sr-only"> lines removed</span>
      </span>
    </span>
  );
}

function DiffFileSection({ file, index, startOpen }: { file: DiffFile; index: number; startOpen: boolean }) {
  const [open, setOpen] = useState(startOpen);
  const path = diffFilePath(file);
  return (
    <details
      id={`diff-file-${index}`}
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      className="overflow-hidden rounded-lg border border-zinc-200 dark:border-zinc-800"
      data-testid="run-diff-file"
      data-path={path}
    >
      <summary className="flex cursor-pointer items-center gap-3 bg-zinc-50 px-4 py-2 text-sm dark:bg-zinc-900">
        <span className="break-all font-mono text-xs">{path}</span>
        {file.isNew ? <span className="text-xs text-zinc-500">new</span> : null}
        {file.isDeleted ? <span className="text-xs text-zinc-500">deleted</span> : null}
        <span className="ml-auto">
          <Counts file={file} />
        </span>
      </summary>
      {/* Drawn only while open: a collapsed large file costs nothing. */}
      {open ? <DiffFileBody file={file} /> : null}
    </details>
  );
}

/**
 * The run's `git diff` against its starting commit, read from the REST API: the changed files
 * with their +/- counts, then each file's hunks with syntax highlighting, collapsible; a large
 * diff draws its first files and offers the whole patch as a download.
 */
export function RunResultsDiff({ runId, diff, expired }: { runId: string; diff: ResultFile; expired: boolean }) {
  const tooLarge = diff.sizeBytes > maxShownDiffBytes;
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });
  const downloadUrl = resultDownloadUrl(runId, diff);

  useEffect(() => {
    if (tooLarge || !diff.stored || diff.sizeBytes === 0) return;
    const abort = new AbortController();
    setLoaded({ status: "loading" });
    (async () => {
      const response = await fetch(downloadUrl, { signal: abort.signal });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      }
      setLoaded({ status: "ready", files: parse(await response.text()) });
    })().catch((error: Error) => {
      if (!abort.signal.aborted) setLoaded({ status: "error", message: error.message });
    });
    return () => abort.abort();
  }, [downloadUrl, diff.stored, diff.sizeBytes, tooLarge]);

  const download = (testId: string) => (
    <a href={downloadUrl} download className="text-sm font-medium underline underline-offset-4" data-testid={testId}>
      Download the patch
    </a>
  );
  const header = (summary: React.ReactNode) => (
    <div className="flex flex-wrap items-center gap-3">
      <h3 className="text-sm font-semibold" id="run-diff-heading">
        Changes
      </h3>
      <span className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="run-diff-summary">
        {summary}
      </span>
      {diff.stored ? <span className="ml-auto">{download("run-diff-download")}</span> : null}
    </div>
  );

  if (!diff.stored) return header(expired ? "The patch was removed by the team's retention." : "The patch is still being stored.");
  if (diff.sizeBytes === 0) return header("The run changed no files.");
  if (tooLarge) {
    return header(
      <span data-testid="run-diff-too-large">
        The patch is {formatBytes(diff.sizeBytes)}, too large to show here (over {formatBytes(maxShownDiffBytes)}): download it.
      </span>,
    );
  }
  if (loaded.status === "loading") return header("Loading the diff…");
  if (loaded.status === "error") {
    return (
      <div className="space-y-2">
        {header(null)}
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          The diff could not be read: {loaded.message}
        </p>
      </div>
    );
  }

  const { files } = loaded;
  const shown = files.slice(0, maxShownDiffFiles);
  const open = initiallyOpen(shown);
  const added = files.reduce((sum, file) => sum + file.addedLines, 0);
  const deleted = files.reduce((sum, file) => sum + file.deletedLines, 0);
  return (
    <div className="space-y-3" data-testid="run-diff" aria-labelledby="run-diff-heading" role="region">
      {header(`${files.length} file${files.length === 1 ? "" : "s"} changed, +${added} −${deleted}`)}
      <ul aria-label="Changed files" className="space-y-0.5 text-sm" data-testid="run-diff-files">
        {files.map((file, index) => (
          <li key={diffFilePath(file)} className="flex items-center gap-3">
            {index < maxShownDiffFiles ? (
              <a href={`#diff-file-${index}`} className="break-all font-mono text-xs underline-offset-4 hover:underline">
                {diffFilePath(file)}
              </a>
            ) : (
              <span className="break-all font-mono text-xs text-zinc-500">{diffFilePath(file)}</span>
            )}
            <Counts file={file} />
          </li>
        ))}
      </ul>
      {shown.map((file, index) => (
        <DiffFileSection key={diffFilePath(file)} file={file} index={index} startOpen={open[index] ?? false} />
      ))}
      {files.length > shown.length ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="run-diff-more">
          {files.length - shown.length} more file{files.length - shown.length === 1 ? " is" : "s are"} not shown here: {download("run-diff-download-rest")} for all of them.
        </p>
      ) : null}
    </div>
  );
}
