"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Overview } from "./overview-type";
import { ChartPanel } from "./chart-panel";
import { axisProps, ChartTooltip, gridProps, hourLabel } from "./chart-style";
import { plural } from "./format";

// Colours readable on white and on zinc-900 alike.
export const outcomeColours = {
  succeeded: "#16a34a",
  failed: "#dc2626",
  timed_out: "#ea580c",
  lost: "#9333ea",
  cancelled: "#71717a",
  unfinished: "#2563eb",
} as const;

const outcomeNames: Record<keyof typeof outcomeColours, string> = {
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
  lost: "lost",
  cancelled: "cancelled",
  unfinished: "not finished",
};

export function RunsChart({ overview }: { overview: Overview }) {
  const { totals, hours } = overview;
  const summary = totals.runs === 0 ? `No runs in the last ${hours} h.` : `${plural(totals.runs, "run")} in the last ${hours} h, ${totals.failed} failed, ${totals.succeeded} succeeded.`;
  const data = overview.runsPerHour.map((hour) => ({ ...hour, hour: hour.hour.getTime() }));
  return (
    <ChartPanel id="runs" title="Runs per hour, by how they ended" summary={summary} empty={totals.runs === 0 ? "Runs you start appear here, one bar per hour coloured by how they ended." : undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid {...gridProps} />
          <XAxis dataKey="hour" tickFormatter={hourLabel} {...axisProps} minTickGap={24} />
          <YAxis allowDecimals={false} {...axisProps} />
          <Tooltip content={<ChartTooltip format={(label) => hourLabel(Number(label))} />} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {(Object.keys(outcomeColours) as (keyof typeof outcomeColours)[]).map((outcome) => (
            <Bar key={outcome} dataKey={outcome} name={outcomeNames[outcome]} stackId="runs" fill={outcomeColours[outcome]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}
