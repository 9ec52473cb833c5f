"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { formatBytes } from "~/lib/format-bytes";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

/** What of the stored spec decides whether the run has an egress proxy at all. */
export interface EgressSpec {
  grants?: string[] | undefined;
  network?: { policy?: string | undefined } | undefined;
}

/** A run gets the proxy when it names a grant or its policy is strict (the stored spec has the policy filled in). */
export function hasEgressProxy(spec: EgressSpec): boolean {
  return Boolean(spec.grants?.length) || spec.network?.policy === "strict";
}

/**
 * The run's connections through its egress proxy, one row per host, port and decision; read again
 * while the run is active, and once more when it ends (the proxy reports a connection when it closes).
 */
export function RunEgress({ runId, spec, active, state }: { runId: string; spec: EgressSpec; active: boolean; state: string }) {
  const trpc = useTRPC();
  const proxied = hasEgressProxy(spec);
  const egress = useQuery(trpc.runs.egress.queryOptions({ id: runId }, { enabled: proxied, refetchInterval: active ? 3000 : false }));
  const refetch = egress.refetch;
  useEffect(() => {
    if (proxied && state) void refetch();
  }, [proxied, state, refetch]);

  if (!proxied) {
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="run-egress-empty">
        This run has no egress proxy: it names no grants and its network policy is open.
      </p>
    );
  }
  if (egress.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        Could not load the egress log: {errorMessage(egress.error)}
      </p>
    );
  }
  if (!egress.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  const { rows, totals } = { rows: egress.data.egress, totals: egress.data.totals };
  return (
    <div className="space-y-2" data-testid="run-egress">
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="run-egress-totals">
        Connections allowed: {String(totals.allowed)}, <span className={Number(totals.denied) ? "font-medium text-red-600 dark:text-red-400" : undefined}>denied: {String(totals.denied)}</span>
        {spec.network?.policy ? <span className="text-zinc-500"> · policy {spec.network.policy}</span> : null}
      </p>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="run-egress-empty">
          No connections through the egress proxy{active ? " yet" : ""}.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Host</th>
                <th className="px-4 py-2 font-medium">Decision</th>
                <th className="px-4 py-2 font-medium">Via / reason</th>
                <th className="px-4 py-2 text-right font-medium">Connections</th>
                <th className="px-4 py-2 text-right font-medium">In</th>
                <th className="px-4 py-2 text-right font-medium">Out</th>
                <th className="px-4 py-2 font-medium">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={`${row.host}:${row.port}:${row.decision}`}
                  className="border-t border-zinc-200 align-top dark:border-zinc-800"
                  data-egress-host={`${row.host}:${row.port}`}
                  data-decision={row.decision}
                >
                  <td className="px-4 py-2 font-mono text-xs">
                    {row.host}:{row.port}
                  </td>
                  <td className={`px-4 py-2 font-medium ${row.decision === "denied" ? "text-red-600 dark:text-red-400" : "text-emerald-700 dark:text-emerald-400"}`}>{row.decision}</td>
                  <td className="px-4 py-2 text-xs">
                    {row.decision === "allowed" ? (
                      row.via === "allow" ? (
                        "network.allow"
                      ) : row.via ? (
                        <>
                          grant <span className="font-mono">{row.via}</span>
                        </>
                      ) : (
                        "—"
                      )
                    ) : (
                      (row.reason ?? "—")
                    )}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{String(row.connections)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatBytes(Number(row.bytesIn))}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatBytes(Number(row.bytesOut))}</td>
                  <td className="px-4 py-2 text-zinc-500">
                    <time dateTime={new Date(row.lastAt).toISOString()}>{new Date(row.lastAt).toLocaleString()}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
