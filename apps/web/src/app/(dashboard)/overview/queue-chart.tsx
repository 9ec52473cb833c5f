"use client";

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartPanel } from "./chart-panel";
import { axisProps, ChartTooltip, gridProps, hourLabel } from "./chart-style";
import { plural } from "./format";
import type { Overview } from "./overview-type";

export function QueueChart({ overview }: { overview: Overview }) {
  const data = overview.queueDepth.map((point) => ({ at: point.at.getTime(), queued: point.queued }));
  const peak = Math.max(0, ...data.map((point) => point.queued));
  const summary =
    peak === 0
      ? `Nothing waited in the queue at the end of any hour of the last ${overview.hours} h.`
      : `${plural(overview.totals.queuedNow, "run")} queued now; at most ${peak} at the end of an hour in the last ${overview.hours} h.`;
  return (
    <ChartPanel id="queue" title="Queue depth" summary={summary} empty={peak === 0 ? "Runs waiting for a host would show here. None did." : undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid {...gridProps} />
          <XAxis dataKey="at" tickFormatter={hourLabel} {...axisProps} minTickGap={24} />
          <YAxis allowDecimals={false} {...axisProps} />
          <Tooltip content={<ChartTooltip format={(label) => hourLabel(Number(label))} />} />
          <Area type="stepAfter" dataKey="queued" name="queued" stroke="#2563eb" fill="#2563eb" fillOpacity={0.25} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}
