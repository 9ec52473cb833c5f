import type { PrismaClient } from "@bailey/db";
import { dispatchOne, dispatchScheduledRuns } from "./dispatch";
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
  await dispatchScheduledRuns({ prisma, connections, runIds: [runId] });
}
