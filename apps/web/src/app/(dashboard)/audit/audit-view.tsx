"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { useTRPC } from "~/trpc/client";
import { SigningKey } from "./signing-key";
import { VerifyChain } from "./verify-chain";

interface Filters {
  actorId: string;
  action: string;
  runId: string;
  since: string;
  until: string;
}

const asDate = (value: string) => (value ? new Date(value) : undefined);

export function AuditView() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({ actorId: "", action: "", runId: "", since: "", until: "" });
  const deferred = useDeferredValue(filters);
  const since = asDate(deferred.since);
  const until = asDate(deferred.until);
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      {
        limit: 100,
        ...(deferred.actorId.trim() ? { actor: deferred.actorId.trim() } : {}),
        ...(deferred.action.trim() ? { action: deferred.action.trim() } : {}),
        ...(deferred.runId.trim() ? { run: deferred.runId.trim() } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      },
      { getNextPageParam: (page) => page.nextBeforeSeq ?? undefined, initialCursor: undefined },
    ),
  );
  const set = (key: keyof Filters) => (event: { target: { value: string } }) => setFilters({ ...filters, [key]: event.target.value });
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
        <a href="/api/v1/audit/export" className="text-sm font-medium underline underline-offset-4" download>
          Export as JSON lines
        </a>
      </div>
      <VerifyChain />
      <SigningKey />
      <div className="grid gap-3 sm:grid-cols-5" role="search" aria-label="Filter audit events">
        <Input aria-label="Action" placeholder="Action, e.g. run.created" value={filters.action} onChange={set("action")} />
        <Input aria-label="Actor" placeholder="Actor id" value={filters.actorId} onChange={set("actorId")} />
        <Input aria-label="Run" placeholder="Run id" value={filters.runId} onChange={set("runId")} />
        <Input aria-label="Since" type="datetime-local" value={filters.since} onChange={set("since")} />
        <Input aria-label="Until" type="datetime-local" value={filters.until} onChange={set("until")} />
      </div>
      {events.isPending ? <p className="text-sm text-zinc-500">Loading events…</p> : null}
      {events.isError ? (
        <p role="alert" className="text-sm text-red-600">
          Could not load events: {events.error.message}
        </p>
      ) : null}
      {events.data && rows.length === 0 ? <EmptyState title="No events match">Every action in this team is recorded here; change the filters to see more.</EmptyState> : null}
      {rows.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">#</th>
                <th className="px-4 py-2 font-medium">Time</th>
                <th className="px-4 py-2 font-medium">Action</th>
                <th className="px-4 py-2 font-medium">Actor</th>
                <th className="px-4 py-2 font-medium">Target</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <tr key={event.seq} className="border-t border-zinc-200 dark:border-zinc-800" data-action={event.action}>
                  <td className="px-4 py-2 text-zinc-500">{event.seq}</td>
                  <td className="px-4 py-2 text-zinc-500">{event.createdAt.toLocaleString()}</td>
                  <td className="px-4 py-2 font-mono">{event.action}</td>
                  <td className="px-4 py-2 font-mono text-xs">
                    {event.actorType}
                    {event.actorId ? `:${event.actorId}` : ""}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">
                    {event.targetType}:{event.targetId}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {events.hasNextPage ? (
        <Button variant="secondary" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          Load older events
        </Button>
      ) : null}
    </div>
  );
}
