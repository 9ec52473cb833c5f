"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartPanel } from "./chart-panel";
import { axisProps, ChartTooltip, gridProps } from "./chart-style";
import { plural } from "./format";
import type { Overview } from "./overview-type";

export const noHostLabel = "(no host)";

export function FailuresChart({ overview }: { overview: Overview }) {
  const data = overview.failuresByHost.map((row) => ({ host: row.hostName ?? noHostLabel, failed: row.failed, ok: row.total - row.failed }));
  const failed = data.reduce((sum, row) => sum + row.failed, 0);
  const total = data.reduce((sum, row) => sum + row.failed + row.ok, 0);
  const worst = data[0];
  const summary =
    total === 0
      ? `No runs in the last ${overview.hours} h.`
      : failed === 0
        ? `None of ${plural(total, "run")} failed in the last ${overview.hours} h.`
        : `${failed} of ${plural(total, "run")} failed in the last ${overview.hours} h; most on ${worst?.host} (${worst?.failed}).`;
  return (
    <ChartPanel id="failures" title="Failures by host" summary={summary} empty={total === 0 ? "Each host's failed and other runs show here once runs have been placed." : undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid {...gridProps} vertical horizontal={false} />
          <XAxis type="number" allowDecimals={false} {...axisProps} />
          <YAxis type="category" dataKey="host" width={96} {...axisProps} />
          <Tooltip content={<ChartTooltip />} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Bar dataKey="failed" name="failed, timed out or lost" stackId="host" fill="#dc2626" isAnimationActive={false} />
          <Bar dataKey="ok" name="other runs" stackId="host" fill="#a1a1aa" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}
