"use client";

import type { PullProgress } from "@bailey/core";
import { formatBytes } from "~/lib/format-bytes";

/** The `pulling` step of a run's timeline: a bar of bytes done of total, indeterminate while the total is unknown. */
export function RunPullStep({ progress }: { progress: PullProgress | null }) {
  if (!progress) return null;
  const known = progress.bytesTotal > 0;
  const percent = known ? Math.min(100, Math.round((progress.bytesDone / progress.bytesTotal) * 100)) : null;
  const state = progress.error ? "failed" : progress.finishedAt ? "pulled" : "pulling";
  const startedAt = new Date(progress.startedAt);
  return (
    <div className="space-y-1 text-sm" data-testid="run-pull" data-state={state}>
      <div className="flex gap-3">
        <time className="w-44 shrink-0 text-zinc-500 dark:text-zinc-400" dateTime={progress.startedAt}>
          {startedAt.toLocaleString()}
        </time>
        <span className="font-medium">{state}</span>
        <span className="min-w-0 break-all font-mono text-xs leading-5 text-zinc-500 dark:text-zinc-400">{progress.image}</span>
      </div>
      <div className="flex items-center gap-3 pl-0 sm:pl-[11.75rem]">
        <div
          role="progressbar"
          aria-label={`Pulling ${progress.image}`}
          aria-valuemin={0}
          aria-valuemax={known ? progress.bytesTotal : undefined}
          aria-valuenow={known ? progress.bytesDone : undefined}
          className="relative h-2 w-full max-w-xs overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          {percent !== null || progress.finishedAt ? (
            <div className={`h-full ${progress.error ? "bg-red-500" : "bg-emerald-500"} transition-[width]`} style={{ width: `${progress.finishedAt && !progress.error ? 100 : (percent ?? 0)}%` }} />
          ) : (
            <div className="absolute inset-y-0 w-1/3 animate-pulse rounded-full bg-emerald-500" />
          )}
        </div>
        <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400" data-testid="run-pull-bytes">
          {progress.cached
            ? "already on the host"
            : known
              ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)} (${percent}%)`
              : `${formatBytes(progress.bytesDone)} of unknown size`}
        </span>
      </div>
      {progress.error ? (
        <p role="alert" className="text-xs text-red-700 sm:pl-[11.75rem] dark:text-red-300">
          {progress.error}
        </p>
      ) : null}
    </div>
  );
}
