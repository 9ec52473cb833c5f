import { Prisma, type PrismaClient } from "@bailey/db";
import { activeRunStates } from "../runs/state-machine";
import { hourIndex, hourStarts, type OverviewWindow, utcWallTime } from "./window";

/** States that mean the run went wrong (cancelled is somebody's choice, not a failure). */
export const failedRunStates = ["failed", "timed_out", "lost"] as const;

export interface HostFailures {
  /** null: runs that failed before any host took them (nothing could place them). */
  hostId: string | null;
  hostName: string | null;
  failed: number;
  total: number;
}

/** Runs created in the window per host they were placed on, and how many of them failed; most failures first. */
export async function failuresByHost(prisma: PrismaClient, teamId: string, window: OverviewWindow): Promise<HostFailures[]> {
  const rows = await prisma.$queryRaw<HostFailures[]>`
    SELECT r."hostId", h.name AS "hostName",
           (count(*) FILTER (WHERE r.state::text IN (${Prisma.join([...failedRunStates])})))::int AS failed,
           count(*)::int AS total
    FROM "Run" r LEFT JOIN "Host" h ON h.id = r."hostId"
    WHERE r."teamId" = ${teamId} AND r."createdAt" >= ${utcWallTime(window.from)}::timestamp AND r."createdAt" <= ${utcWallTime(window.to)}::timestamp
    GROUP BY r."hostId", h.name
    ORDER BY failed DESC, total DESC, h.name NULLS LAST`;
  return rows;
}

export interface HostUtilisation {
  hostId: string;
  name: string;
  status: string;
  capacity: number;
  /** Runs placed on it and not finished, now. */
  active: number;
  /** active / capacity (0 when its capacity is 0). */
  utilisation: number;
  /** Mean active runs / capacity per hour of the window, from the host's minute samples; null where there was none. */
  hourly: (number | null)[];
}

/** Each host of the team: its load now, and over the window from HostSample (recorded once a minute while it is connected). */
export async function hostUtilisation(prisma: PrismaClient, teamId: string, window: OverviewWindow): Promise<HostUtilisation[]> {
  const hosts = await prisma.$queryRaw<{ hostId: string; name: string; status: string; capacity: number; active: number }[]>`
    SELECT h.id AS "hostId", h.name, h.status::text AS status, h."capacityRuns" AS capacity,
           (SELECT count(*)::int FROM "Run" r WHERE r."hostId" = h.id AND r.state::text IN (${Prisma.join([...activeRunStates])})) AS active
    FROM "Host" h WHERE h."teamId" = ${teamId}
    ORDER BY h.name`;
  if (hosts.length === 0) return [];
  const samples = await prisma.$queryRaw<{ hostId: string; hour: number; mean: number }[]>`
    SELECT s."hostId", (extract(epoch FROM date_trunc('hour', s.at)) * 1000)::float8 AS hour, avg(s."runningRuns")::float8 AS mean
    FROM "HostSample" s
    WHERE s."hostId" = ANY(${hosts.map((host) => host.hostId)}) AND s.at >= ${utcWallTime(window.from)}::timestamp AND s.at <= ${utcWallTime(window.to)}::timestamp
    GROUP BY 1, 2`;
  return hosts.map((host) => {
    const hourly: (number | null)[] = hourStarts(window).map(() => null);
    for (const sample of samples) {
      const index = hourIndex(window, sample.hour);
      if (sample.hostId === host.hostId && index >= 0 && index < hourly.length) hourly[index] = ratio(sample.mean, host.capacity);
    }
    return { ...host, utilisation: ratio(host.active, host.capacity), hourly };
  });
}

function ratio(running: number, capacity: number): number {
  return capacity > 0 ? Math.round((running / capacity) * 1000) / 1000 : 0;
}
