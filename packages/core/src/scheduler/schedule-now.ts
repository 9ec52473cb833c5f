import type { PrismaClient } from "@bailey/db";
import { dispatchOne, dispatchScheduledRuns } from "./dispatch";
import { explainQueuedRuns } from "./explain-waits";
import type { HostConnections } from "./host-connections";
import { placeAndClaim } from "./place";

/**
 * Lets a new run start on a free host at once instead of waiting for the next tick: it is
 * placed and claimed in one transaction (older queued runs are placed first, as in a tick).
 */
export async function scheduleNow({ prisma, connections, runId }: { prisma: PrismaClient; connections: HostConnections; runId: string }): Promise<void> {
  const { claimed } = await placeAndClaim({ prisma, claimForDispatch: [runId] });
  if (claimed.includes(runId)) return dispatchOne(prisma, connections, runId);
  // Placed by another process meanwhile: dispatch it if nobody has claimed it yet.
  if (await dispatchScheduledRuns({ prisma, connections, runIds: [runId] })) return;
  // Still queued: say why now rather than at the next tick (which may be seconds away behind slow hosts).
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { teamId: true, state: true } });
  if (run?.state === "queued") await explainQueuedRuns({ prisma, teamId: run.teamId });
}
