"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { RunStateBadge } from "~/components/run-state-badge";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/client";
import { RunsFilters, type RunFilters } from "./runs-filters";

const pageSize = 50;

// Badges follow the runs' states without a reload.
const refreshEveryMs = 2000;

export function RunsList() {
  const [filters, setFilters] = useState<RunFilters>({ text: "" });
  return (
    <div className="space-y-4">
      <RunsFilters value={filters} onChange={setFilters} />
      <RunsTable filters={filters} />
    </div>
  );
}

function RunsTable({ filters }: { filters: RunFilters }) {
  const trpc = useTRPC();
  const text = useDeferredValue(filters.text.trim());
  const filtered = Boolean(filters.state || filters.hostId || filters.createdById || text);
  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(
      {
        limit: pageSize,
        ...(filters.state ? { state: filters.state } : {}),
        ...(filters.hostId ? { host: filters.hostId } : {}),
        ...(filters.createdById ? { creator: filters.createdById } : {}),
        ...(text ? { q: text } : {}),
      },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: refreshEveryMs },
    ),
  );

  if (runs.isPending) return <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading runs…</p>;
  if (runs.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        Could not load runs: {runs.error.message}
      </p>
    );
  }
  const rows = runs.data.pages.flatMap((page) => page.runs);
  if (rows.length === 0 && filtered) return <EmptyState title="No runs match">Change or clear the filters above.</EmptyState>;
  if (rows.length === 0) {
    return (
      <EmptyState title="No runs yet">
        Register a worker host on the{" "}
        <Link href="/hosts" className="font-medium text-zinc-900 underline underline-offset-4 dark:text-zinc-100">
          Hosts
        </Link>{" "}
        page, then start one with{" "}
        <Link href="/runs/new" className="font-medium text-zinc-900 underline underline-offset-4 dark:text-zinc-100">
          New run
        </Link>{" "}
        or with an API token.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th className="px-4 py-2 font-medium">Run</th>
              <th className="px-4 py-2 font-medium">Image</th>
              <th className="px-4 py-2 font-medium">State</th>
              <th className="px-4 py-2 font-medium">Host</th>
              <th className="px-4 py-2 font-medium">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr key={run.id} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="px-4 py-2 font-mono">
                  <Link href={`/runs/${run.id}`} className="underline-offset-4 hover:underline">
                    {run.name ?? run.id}
                  </Link>
                </td>
                <td className="px-4 py-2">{run.image ?? "—"}</td>
                <td className="px-4 py-2">
                  <RunStateBadge state={run.state} />
                  {run.state === "queued" && run.waitReason ? (
                    <p data-testid="run-wait-reason" className="mt-1 max-w-md text-xs text-amber-800 dark:text-amber-300">
                      {run.waitReason}
                    </p>
                  ) : null}
                  {run.state === "timed_out" && run.timeoutSeconds !== null ? <p className="mt-1 text-xs text-red-700 dark:text-red-300">hit its {run.timeoutSeconds} s timeout</p> : null}
                </td>
                <td className="px-4 py-2 text-zinc-500 dark:text-zinc-400">{run.host?.name ?? "—"}</td>
                <td className="px-4 py-2 text-zinc-500 dark:text-zinc-400">
                  <time dateTime={run.createdAt.toISOString()}>{run.createdAt.toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {runs.hasNextPage ? (
        <Button variant="secondary" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
          {runs.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      ) : null}
    </div>
  );
}
