import { type Command, globalHelp, stringValue } from "../command";
import { printJson, printTable, usageError } from "../output";

const maxHours = 168;

/** 850ms, 12.3s, 4m05s: short enough for a table cell. */
export function shortDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

const hourOf = (iso: string) => `${iso.slice(0, 13).replace("T", " ")}:00`;

export const overview: Command = {
  name: "overview",
  summary: "Runs per hour, queue, start latency, failures and host load",
  help: `Usage: bailey overview [--hours N]

What the dashboard's Overview page draws, as tables: the runs created in each hour by how they
ended, the queue depth at the end of the hour and the p50/p90 start latency (created → started),
then each host's runs, failures and load now. Hours are UTC; hours with nothing are left out.

  --hours N   how many hours back, the hour in progress included (1 to ${maxHours}; 24 by default)
${globalHelp}`,
  options: { hours: { type: "string" } },
  maxPositionals: 0,
  async run(context) {
    const text = stringValue(context, "hours");
    const hours = text === undefined ? 24 : Number(text);
    if (!Number.isInteger(hours) || hours < 1 || hours > maxHours) throw usageError(`--hours takes a whole number from 1 to ${maxHours}, e.g. --hours 24 (got ${text}).`, "overview");
    const data = await (await context.client()).overview(hours);
    if (context.json) {
      printJson(data);
      return 0;
    }
    const { totals, startLatency } = data;
    process.stdout.write(
      `Last ${data.hours} h: ${totals.runs} runs, ${totals.succeeded} succeeded, ${totals.failed} failed; ${totals.queuedNow} queued now.\n` +
        `Start latency: p50 ${shortDuration(startLatency.overall.p50Ms)}, p90 ${shortDuration(startLatency.overall.p90Ms)} (${startLatency.overall.started} started).\n\n`,
    );
    const rows = data.runsPerHour.flatMap((hour, index) => {
      const queued = data.queueDepth[index]?.queued ?? 0;
      const latency = startLatency.hours[index];
      if (hour.total === 0 && queued === 0) return [];
      return [
        [
          hourOf(hour.hour),
          String(hour.total),
          String(hour.succeeded),
          String(hour.failed + hour.timed_out + hour.lost),
          String(hour.cancelled),
          String(hour.unfinished),
          String(queued),
          shortDuration(latency?.p50Ms ?? null),
          shortDuration(latency?.p90Ms ?? null),
        ],
      ];
    });
    if (rows.length === 0) process.stdout.write(`No runs and no queue in the last ${data.hours} h.\n`);
    else printTable(["HOUR (UTC)", "RUNS", "OK", "FAILED", "CANCELLED", "UNFINISHED", "QUEUED", "P50", "P90"], rows);
    process.stdout.write("\n");
    if (data.hosts.length === 0 && data.failuresByHost.length === 0) {
      process.stdout.write("No hosts yet: add one on the Hosts page (or POST /api/v1/hosts).\n");
      return 0;
    }
    const names = new Set([...data.hosts.map((host) => host.name), ...data.failuresByHost.map((row) => row.hostName ?? "(no host)")]);
    printTable(
      ["HOST", "RUNS", "FAILED", "ACTIVE", "BUSY NOW"],
      [...names].map((name) => {
        const failures = data.failuresByHost.find((row) => (row.hostName ?? "(no host)") === name);
        const host = data.hosts.find((candidate) => candidate.name === name);
        return [name, String(failures?.total ?? 0), String(failures?.failed ?? 0), host ? `${host.active}/${host.capacity}` : "-", host ? `${Math.round(host.utilisation * 100)}%` : "-"];
      }),
    );
    return 0;
  },
};
