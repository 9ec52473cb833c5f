import type { PrismaClient } from "@bailey/db";
import type { TeamContext } from "../authz";
import { AppError } from "../errors";
import { failedRunStates, failuresByHost, hostUtilisation } from "./hosts";
import { queueDepth } from "./queue-depth";
import { runsPerHour } from "./runs-per-hour";
import { startLatency } from "./start-latency";
import { maxOverviewHours, overviewWindow } from "./window";

export interface TeamOverviewOptions {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  /** How many hours back, the hour in progress included. */
  hours: number;
  /** The moment to look back from (tests pin it). */
  now?: Date;
}

export type TeamOverview = Awaited<ReturnType<typeof teamOverview>>;

/** The dashboard's overview of a team: runs, queue, start latency, failures and load per host, per hour. */
export async function teamOverview({ prisma, ctx, hours, now = new Date() }: TeamOverviewOptions) {
  if (!Number.isInteger(hours) || hours < 1 || hours > maxOverviewHours) throw new AppError("BAD_REQUEST", `hours must be a whole number from 1 to ${maxOverviewHours}, e.g. 24`);
  const window = overviewWindow(hours, now);
  // Sequential on purpose: one connection, and each is a single aggregate over the team's index.
  const perHour = await runsPerHour(prisma, ctx.teamId, window);
  const queue = await queueDepth(prisma, ctx.teamId, window);
  const latency = await startLatency(prisma, ctx.teamId, window);
  const failures = await failuresByHost(prisma, ctx.teamId, window);
  const hosts = await hostUtilisation(prisma, ctx.teamId, window);
  const totals = {
    runs: perHour.reduce((sum, hour) => sum + hour.total, 0),
    failed: perHour.reduce((sum, hour) => sum + failedRunStates.reduce((count, state) => count + hour[state], 0), 0),
    succeeded: perHour.reduce((sum, hour) => sum + hour.succeeded, 0),
    queuedNow: queue.at(-1)?.queued ?? 0,
  };
  return { hours, from: window.from, to: window.to, totals, runsPerHour: perHour, queueDepth: queue, startLatency: latency, failuresByHost: failures, hosts };
}
