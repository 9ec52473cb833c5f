"use client";

import type { TooltipContentProps } from "recharts";

/** Axis and grid drawn in the text colour, so they follow dark mode. */
export const axisProps = { stroke: "currentColor", tick: { fill: "currentColor", fontSize: 11 }, tickLine: false } as const;
export const gridProps = { stroke: "currentColor", strokeOpacity: 0.15, vertical: false } as const;

export const hourLabel = (value: Date | number) => new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** Recharts' tooltip as the dashboard's cards draw it (light and dark). */
export function ChartTooltip({ active, payload, label, format }: Partial<TooltipContentProps<number, string>> & { format?: (label: unknown) => string }) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs text-zinc-900 shadow-sm dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100">
      <p className="mb-1 font-medium">{format ? format(label) : String(label)}</p>
      {payload.map((entry) => (
        <p key={String(entry.dataKey)} style={{ color: entry.color }}>
          {entry.name}: {entry.value}
        </p>
      ))}
    </div>
  );
}
