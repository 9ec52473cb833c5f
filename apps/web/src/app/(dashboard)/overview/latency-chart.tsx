"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartPanel } from "./chart-panel";
import { axisProps, ChartTooltip, gridProps, hourLabel } from "./chart-style";
import { duration, plural } from "./format";
import type { Overview } from "./overview-type";

export function LatencyChart({ overview }: { overview: Overview }) {
  const { overall } = overview.startLatency;
  // Seconds on the axis: milliseconds make unreadable ticks.
  const data = overview.startLatency.hours.map((hour) => ({
    hour: hour.hour.getTime(),
    p50: hour.p50Ms === null ? null : hour.p50Ms / 1000,
    p90: hour.p90Ms === null ? null : hour.p90Ms / 1000,
  }));
  const summary =
    overall.started === 0
      ? `No run started in the last ${overview.hours} h.`
      : `${plural(overall.started, "run")} started a median ${duration(overall.p50Ms)} after being created (p90 ${duration(overall.p90Ms)}).`;
  return (
    <ChartPanel
      id="latency"
      title="Start latency (created → started), p50 and p90"
      summary={summary}
      empty={overall.started === 0 ? "How long runs wait before they start shows here once a run has started." : undefined}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid {...gridProps} />
          <XAxis dataKey="hour" tickFormatter={hourLabel} {...axisProps} minTickGap={24} />
          <YAxis {...axisProps} unit=" s" />
          <Tooltip content={<ChartTooltip format={(label) => hourLabel(Number(label))} />} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Line dataKey="p50" name="p50 (s)" stroke="#2563eb" strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
          <Line dataKey="p90" name="p90 (s)" stroke="#ea580c" strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}
