import type { PrismaClient } from "@bailey/db";
import { hourIndex, hourStarts, type OverviewWindow, utcWallTime } from "./window";

export interface StartLatencyInHour {
  hour: Date;
  /** Runs created in the hour that have started. */
  started: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface StartLatency {
  hours: StartLatencyInHour[];
  /** Over the whole window. */
  overall: { started: number; p50Ms: number | null; p90Ms: number | null };
}

/** Time from createdAt to startedAt of the runs created in each hour that started (interpolated percentiles). */
export async function startLatency(prisma: PrismaClient, teamId: string, window: OverviewWindow): Promise<StartLatency> {
  const rows = await prisma.$queryRaw<{ hour: number | null; started: number; p50: number | null; p90: number | null }[]>`
    SELECT (extract(epoch FROM date_trunc('hour', r."createdAt")) * 1000)::float8 AS hour,
           count(*)::int AS started,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r."startedAt" - r."createdAt")) * 1000 AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r."startedAt" - r."createdAt")) * 1000 AS p90
    FROM "Run" r
    WHERE r."teamId" = ${teamId} AND r."createdAt" >= ${utcWallTime(window.from)}::timestamp AND r."createdAt" <= ${utcWallTime(window.to)}::timestamp
      AND r."startedAt" IS NOT NULL
    GROUP BY ROLLUP (1)`;
  const hours: StartLatencyInHour[] = hourStarts(window).map((hour) => ({ hour, started: 0, p50Ms: null, p90Ms: null }));
  let overall: StartLatency["overall"] = { started: 0, p50Ms: null, p90Ms: null };
  for (const row of rows) {
    const measured = { started: row.started, p50Ms: roundMs(row.p50), p90Ms: roundMs(row.p90) };
    // ROLLUP's grand total is the row whose hour is NULL.
    if (row.hour === null) overall = measured;
    else {
      const bucket = hours[hourIndex(window, row.hour)];
      if (bucket) Object.assign(bucket, measured);
    }
  }
  return { hours, overall };
}

function roundMs(value: number | null): number | null {
  return value === null ? null : Math.round(Number(value));
}
