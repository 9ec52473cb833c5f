"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartPanel } from "./chart-panel";
import { axisProps, ChartTooltip, gridProps, hourLabel } from "./chart-style";
import { percent, plural } from "./format";
import type { Overview } from "./overview-type";

const hostColours = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#db2777", "#ca8a04", "#4f46e5"];
const asPercent = (value: number) => `${value}%`;

export function UtilisationNowChart({ overview }: { overview: Overview }) {
  const { hosts } = overview;
  const active = hosts.reduce((sum, host) => sum + host.active, 0);
  const capacity = hosts.reduce((sum, host) => sum + host.capacity, 0);
  const summary = hosts.length === 0 ? "No hosts yet." : `${plural(hosts.length, "host")}: ${active} of ${capacity} run slots busy now (${percent(capacity ? active / capacity : 0)}).`;
  const data = hosts.map((host) => ({ host: host.name, busy: Math.round(host.utilisation * 100) }));
  return (
    <ChartPanel id="utilisation" title="Host utilisation now (active runs / capacity)" summary={summary} empty={hosts.length === 0 ? "Add a host on the Hosts page; its load shows here." : undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid {...gridProps} vertical horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tickFormatter={asPercent} {...axisProps} />
          <YAxis type="category" dataKey="host" width={96} {...axisProps} />
          <Tooltip content={<ChartTooltip />} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
          <Bar dataKey="busy" name="busy %" fill="#2563eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}

export function UtilisationOverTimeChart({ overview }: { overview: Overview }) {
  const sampled = overview.hosts.filter((host) => host.hourly.some((value) => value !== null));
  const data = overview.runsPerHour.map((hour, index) => ({
    hour: hour.hour.getTime(),
    ...Object.fromEntries(sampled.map((host) => [host.hostId, host.hourly[index] === null ? null : Math.round((host.hourly[index] ?? 0) * 100)])),
  }));
  const busiest = sampled.map((host) => ({ name: host.name, peak: Math.max(...host.hourly.map((value) => value ?? 0)) })).sort((a, b) => b.peak - a.peak)[0];
  const summary = busiest
    ? `Busiest host: ${busiest.name}, at most ${percent(busiest.peak)} busy on average in an hour of the last ${overview.hours} h.`
    : `No host load was recorded in the last ${overview.hours} h.`;
  return (
    <ChartPanel
      id="utilisation-hourly"
      title="Host utilisation per hour (mean of minute samples)"
      summary={summary}
      empty={busiest ? undefined : "Connected hosts report their load once a minute; it shows here per hour."}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid {...gridProps} />
          <XAxis dataKey="hour" tickFormatter={hourLabel} {...axisProps} minTickGap={24} />
          <YAxis domain={[0, 100]} tickFormatter={asPercent} {...axisProps} />
          <Tooltip content={<ChartTooltip format={(label) => hourLabel(Number(label))} />} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {sampled.map((host, index) => (
            <Line key={host.hostId} dataKey={host.hostId} name={host.name} stroke={hostColours[index % hostColours.length]} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartPanel>
  );
}
