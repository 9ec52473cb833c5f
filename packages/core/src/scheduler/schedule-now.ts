import type { PrismaClient } from "@bailey/db";
import { dispatchScheduledRuns } from "./dispatch";
import type { HostConnections } from "./host-connections";
import { placeQueuedRuns } from "./place";

/** Lets a new run start on a free host at once instead of waiting for the next tick. */
export async function scheduleNow({ prisma, connections, runId }: { prisma: PrismaClient; connections: HostConnections; runId: string }): Promise<void> {
  await placeQueuedRuns({ prisma });
  await dispatchScheduledRuns({ prisma, connections, runIds: [runId] });
}
