"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Select } from "~/components/ui/select";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { FailuresChart } from "./failures-chart";
import { LatencyChart } from "./latency-chart";
import { QueueChart } from "./queue-chart";
import { RunsChart } from "./runs-chart";
import { UtilisationNowChart, UtilisationOverTimeChart } from "./utilisation-chart";

const windows = [6, 24, 72, 168] as const;

export function OverviewView() {
  const trpc = useTRPC();
  const [hours, setHours] = useState<number>(24);
  const overview = useQuery(trpc.overview.get.queryOptions({ hours }, { refetchInterval: 30_000 }));
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
        <label className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          Last
          <Select aria-label="Hours" value={hours} onChange={(event) => setHours(Number(event.target.value))}>
            {windows.map((value) => (
              <option key={value} value={value}>
                {value < 48 ? `${value} hours` : `${value / 24} days`}
              </option>
            ))}
          </Select>
        </label>
      </div>
      {overview.isPending ? (
        <p className="text-sm text-zinc-500">Loading…</p>
      ) : overview.isError ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          Could not load the overview: {errorMessage(overview.error)}
        </p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <RunsChart overview={overview.data} />
          <QueueChart overview={overview.data} />
          <LatencyChart overview={overview.data} />
          <FailuresChart overview={overview.data} />
          <UtilisationNowChart overview={overview.data} />
          <UtilisationOverTimeChart overview={overview.data} />
        </div>
      )}
    </div>
  );
}
