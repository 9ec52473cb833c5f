"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/client";

const width = 120;
const height = 28;

/** Active runs over the last hour against the host's capacity, as a small line. */
export function HostActivityChart({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const activity = useQuery(trpc.hosts.activity.queryOptions({ id: hostId }, { refetchInterval: 60_000 }));
  const samples = activity.data?.samples ?? [];
  if (samples.length < 2) return <span className="text-xs text-zinc-500">{activity.isPending ? "" : "collecting"}</span>;
  const start = samples[0]!.at.getTime();
  const span = Math.max(1, samples.at(-1)!.at.getTime() - start);
  const top = Math.max(1, activity.data!.capacityRuns);
  const points = samples
    .map((sample) => `${(((sample.at.getTime() - start) / span) * width).toFixed(1)},${(height - (Math.min(sample.runningRuns, top) / top) * (height - 2) - 1).toFixed(1)}`)
    .join(" ");
  const peak = Math.max(...samples.map((sample) => sample.runningRuns));
  return (
    <svg width={width} height={height} role="img" aria-label={`Active runs over the last hour, peak ${peak} of ${top}`} className="text-blue-600 dark:text-blue-400">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
