import type { PrismaClient, RunState } from "@bailey/db";
import { finalRunStates } from "../runs/state-machine";
import { hourIndex, hourStarts, type OverviewWindow, utcWallTime } from "./window";

/** How a run created in an hour ended: its final state, or "unfinished" while it is not over. */
export type RunOutcome = "succeeded" | "failed" | "timed_out" | "lost" | "cancelled" | "unfinished";
export const runOutcomes: readonly RunOutcome[] = ["succeeded", "failed", "timed_out", "lost", "cancelled", "unfinished"];

export type RunsInHour = { hour: Date; total: number } & Record<RunOutcome, number>;

/** Runs created in each hour of the window, counted by how they ended (index (teamId, createdAt)). */
export async function runsPerHour(prisma: PrismaClient, teamId: string, window: OverviewWindow): Promise<RunsInHour[]> {
  const rows = await prisma.$queryRaw<{ hour: number; state: RunState; runs: number }[]>`
    SELECT (extract(epoch FROM date_trunc('hour', r."createdAt")) * 1000)::float8 AS hour, r.state, count(*)::int AS runs
    FROM "Run" r
    WHERE r."teamId" = ${teamId} AND r."createdAt" >= ${utcWallTime(window.from)}::timestamp AND r."createdAt" <= ${utcWallTime(window.to)}::timestamp
    GROUP BY 1, 2`;
  const hours: RunsInHour[] = hourStarts(window).map((hour) => ({ hour, total: 0, succeeded: 0, failed: 0, timed_out: 0, lost: 0, cancelled: 0, unfinished: 0 }));
  for (const row of rows) {
    const bucket = hours[hourIndex(window, row.hour)];
    if (!bucket) continue;
    const outcome: RunOutcome = finalRunStates.includes(row.state) ? (row.state as RunOutcome) : "unfinished";
    bucket[outcome] += row.runs;
    bucket.total += row.runs;
  }
  return hours;
}
