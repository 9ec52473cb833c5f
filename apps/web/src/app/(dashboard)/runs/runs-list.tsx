"use client";

import { useQuery } from "@tanstack/react-query";
import { EmptyState } from "~/components/empty-state";
import { useTRPC } from "~/trpc/client";

export function RunsList() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.runs.list.queryOptions({ limit: 50 }));

  if (runs.isPending) return <p className="text-sm text-zinc-500">Loading runs…</p>;
  if (runs.isError) {
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load runs: {runs.error.message}
      </p>
    );
  }
  if (runs.data.runs.length === 0) {
    return (
      <EmptyState title="No runs yet">
        Register a worker host on the Hosts page, then start a run from here or with an API token.
      </EmptyState>
    );
  }
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-zinc-500">
        <tr>
          <th className="py-2 font-medium">Run</th>
          <th className="py-2 font-medium">Image</th>
          <th className="py-2 font-medium">State</th>
          <th className="py-2 font-medium">Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.data.runs.map((run) => (
          <tr key={run.id} className="border-t border-zinc-200 dark:border-zinc-800">
            <td className="py-2 font-mono">{run.name ?? run.id}</td>
            <td className="py-2">{run.image ?? "—"}</td>
            <td className="py-2">{run.state}</td>
            <td className="py-2">{run.createdAt.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
