"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { formatBytes } from "~/lib/format-bytes";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { RunResultsDiff } from "./run-results-diff";
import { type ResultFile, RunResultsFiles } from "./run-results-files";
import { type ResultsWorkspace, RunResultsWorkspace } from "./run-results-workspace";

/** What `runs.results` answers, as far as the page shows it. */
export interface RunResultsData extends ResultsWorkspace {
  state: "none" | "pending" | "complete" | "partial";
  missing: { name: string; reason: string }[];
  files: ResultFile[];
  logs: { storedBytes: number; complete: boolean };
  expiredAt?: Date | null | undefined;
  retentionDays?: number | undefined;
}

/** The results as they stand: state, workspace and commits, the diff, the bundle and the artifacts. */
export function RunResultsView({ runId, results, running }: { runId: string; results: RunResultsData; running: boolean }) {
  const diff = results.files.find((file) => file.kind === "diff");
  const collected = results.state === "complete" || results.state === "partial";
  return (
    <div className="space-y-4" data-testid="run-results" data-state={results.state}>
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="run-results-state" role="status">
        {results.state === "none"
          ? "This run asks for no results: its spec has no workspace and no artifacts."
          : results.state === "pending"
            ? running
              ? "Results are collected when the run ends."
              : "Collecting results…"
            : results.state === "complete"
              ? "All results are stored."
              : "Some results are missing:"}
        {results.logs.storedBytes > 0 || results.logs.complete ? (
          <span className="text-zinc-500" data-testid="run-results-logs">
            {" "}
            Logs stored: {formatBytes(results.logs.storedBytes)}
            {results.logs.complete ? " (all of them)" : " so far"}.
          </span>
        ) : null}
      </p>
      {results.expiredAt ? (
        <p className="rounded-md border border-amber-300 p-3 text-sm dark:border-amber-800" data-testid="run-results-expired">
          The team&apos;s retention{results.retentionDays ? ` (${results.retentionDays} days)` : ""} removed this run&apos;s stored logs and results on{" "}
          <time dateTime={results.expiredAt.toISOString()}>{results.expiredAt.toLocaleString()}</time>; the record stays.
        </p>
      ) : null}
      {results.missing.length ? (
        <ul className="list-disc space-y-1 rounded-md border border-amber-300 p-3 pl-8 text-sm dark:border-amber-800" aria-label="Missing results" data-testid="run-results-missing">
          {results.missing.map((missing) => (
            <li key={missing.name} data-missing={missing.name}>
              <span className="font-mono text-xs">{missing.name}</span>: {missing.reason}
            </li>
          ))}
        </ul>
      ) : null}
      <RunResultsWorkspace results={results} />
      {diff ? <RunResultsDiff runId={runId} diff={diff} expired={Boolean(results.expiredAt)} /> : null}
      {collected ? <RunResultsFiles runId={runId} files={results.files} expired={Boolean(results.expiredAt)} /> : null}
    </div>
  );
}

/**
 * The Results section of the run page: read again while the run is active or its results are being
 * collected. `exited`: its container has ended (a run with results keeps its state until they are stored).
 */
export function RunResults({ runId, active, exited, state }: { runId: string; active: boolean; exited: boolean; state: string }) {
  const trpc = useTRPC();
  const results = useQuery(trpc.runs.results.queryOptions({ id: runId }, { refetchInterval: (query) => (active || query.state.data?.state === "pending" ? 2000 : false) }));
  // The run's end is when results start shipping: read them again as soon as its state moves on.
  const refetch = results.refetch;
  useEffect(() => {
    if (state) void refetch();
  }, [state, refetch]);

  if (results.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        Could not load the results: {errorMessage(results.error)}
      </p>
    );
  }
  if (!results.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  return <RunResultsView runId={runId} results={results.data} running={active && !exited} />;
}
