"use client";

import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

const stateStyle: Record<string, string> = {
  succeeded: "text-emerald-700 dark:text-emerald-400",
  pending: "text-amber-700 dark:text-amber-400",
  failed: "text-red-600 dark:text-red-400",
};

interface Attempt {
  attempt: number;
  manual: boolean;
  statusCode: number | null;
  error: string | null;
}

const outcomeOf = (attempt: Attempt) => attempt.statusCode ?? (attempt.error ? "no answer" : "?");

/**
 * One endpoint's deliveries, newest first, refreshed while open so a retry shows up as it
 * happens. Each row lists its requests ("500 → 200"); admins can send one again.
 */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const deliveries = useInfiniteQuery(
    trpc.webhooks.deliveries.infiniteQueryOptions({ id: endpointId, limit: 25 }, { getNextPageParam: (page) => page.nextBefore ?? undefined, initialCursor: undefined, refetchInterval: 2000 }),
  );
  const redeliver = useMutation(trpc.webhooks.redeliver.mutationOptions({ onSettled: () => deliveries.refetch() }));
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];
  return (
    <div className="space-y-3" data-testid="delivery-log">
      {deliveries.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(deliveries.error)}
        </p>
      ) : null}
      {redeliver.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(redeliver.error)}
        </p>
      ) : null}
      {deliveries.isPending ? <p className="text-sm text-zinc-500">Loading deliveries…</p> : null}
      {deliveries.data && rows.length === 0 ? <p className="text-sm text-zinc-500">No deliveries yet. Send a test event to try the endpoint.</p> : null}
      {rows.length ? (
        <table className="w-full text-left text-sm">
          <thead className="text-zinc-500 dark:text-zinc-400">
            <tr>
              <th className="px-2 py-1 font-medium">Event</th>
              <th className="px-2 py-1 font-medium">State</th>
              <th className="px-2 py-1 font-medium">Attempts</th>
              <th className="px-2 py-1 font-medium">Last status</th>
              <th className="px-2 py-1 font-medium">Next retry</th>
              <th className="px-2 py-1 font-medium">Requests</th>
              <th className="px-2 py-1" />
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <tr key={delivery.id} className="border-t border-zinc-200 align-top dark:border-zinc-800" data-delivery={delivery.id} data-event-type={delivery.eventType}>
                <td className="px-2 py-1">
                  <code className="text-xs">{delivery.eventType}</code>
                  <span className="block font-mono text-xs text-zinc-500" title="Sent as webhook-id">
                    {delivery.eventId}
                  </span>
                  <span className="block text-xs text-zinc-500">{delivery.createdAt.toLocaleString()}</span>
                </td>
                <td className={`px-2 py-1 font-medium ${stateStyle[delivery.state] ?? ""}`} data-testid="delivery-state">
                  {delivery.state}
                </td>
                <td className="px-2 py-1" data-testid="delivery-attempts">
                  {delivery.attempts}
                </td>
                <td className="px-2 py-1" data-testid="delivery-status">
                  {delivery.lastStatusCode ?? (delivery.lastError ? <span title={delivery.lastError}>no answer</span> : "—")}
                  {delivery.lastError && delivery.state !== "succeeded" ? <span className="block max-w-xs truncate text-xs text-zinc-500">{delivery.lastError}</span> : null}
                </td>
                <td className="px-2 py-1 text-zinc-500" data-testid="delivery-next">
                  {delivery.state === "pending" ? delivery.nextAttemptAt.toLocaleString() : "—"}
                </td>
                <td className="px-2 py-1 font-mono text-xs" data-testid="delivery-requests">
                  {delivery.attemptLog.map((attempt) => `${outcomeOf(attempt)}${attempt.manual ? " (redelivered)" : ""}`).join(" → ")}
                </td>
                <td className="px-2 py-1 text-right">
                  <RoleGate atLeast="admin">
                    <Button variant="secondary" disabled={redeliver.isPending} onClick={() => redeliver.mutate({ id: delivery.id })}>
                      Redeliver
                    </Button>
                  </RoleGate>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {deliveries.hasNextPage ? (
        <Button variant="secondary" onClick={() => void deliveries.fetchNextPage()} disabled={deliveries.isFetchingNextPage}>
          Load older deliveries
        </Button>
      ) : null}
    </div>
  );
}
