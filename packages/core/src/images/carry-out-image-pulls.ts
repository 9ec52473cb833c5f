import type { PrismaClient } from "@bailey/db";
import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import { AppError } from "../errors";
import { registryAuthFor } from "../registries";
import type { HostConnections } from "../scheduler/host-connections";
import { refreshCachedImages } from "./cached-images";

/**
 * How long a control plane owns a pull it started: past it, another tick takes the pull over
 * (the agent shares a pull in flight and an image it has is answered at once, so a takeover
 * never fetches twice). Also how long one image.pull may take.
 */
export const imagePullLeaseMs = 20 * 60_000;

interface ClaimedPull {
  id: string;
  teamId: string;
  hostId: string;
  image: string;
  startedAt: Date;
}

/**
 * Starts the pending pre-pulls of hosts that answer (and takes over ones whose control plane went
 * away): claimed pending → pulling under SKIP LOCKED, so two control planes never start one twice.
 * Pulls take minutes, so a tick does not wait for them: `finished` settles when all have.
 */
export async function carryOutImagePulls({
  prisma,
  connections,
  limit = 20,
  leaseMs = imagePullLeaseMs,
}: {
  prisma: PrismaClient;
  connections: HostConnections;
  limit?: number;
  leaseMs?: number;
}): Promise<{ started: number; finished: Promise<void> }> {
  const claimed = await prisma.$queryRaw<ClaimedPull[]>`
    UPDATE "HostImagePull" SET state = 'pulling', "startedAt" = now(), error = NULL
    WHERE id IN (
      SELECT p.id FROM "HostImagePull" p JOIN "Host" h ON h.id = p."hostId"
      WHERE h.status IN ('online', 'draining')
        AND (p.state = 'pending' OR (p.state = 'pulling' AND p."startedAt" < now() - make_interval(secs => ${leaseMs / 1000})))
      ORDER BY p."createdAt" LIMIT ${limit} FOR UPDATE OF p SKIP LOCKED
    )
    RETURNING id, "teamId", "hostId", image, "startedAt"`;
  // allSettled: a pull whose outcome could not be recorded (the database went away) is taken over after its lease.
  const finished = Promise.allSettled(claimed.map((pull) => pullOne(prisma, connections, pull, leaseMs))).then(() => undefined);
  return { started: claimed.length, finished };
}

async function pullOne(prisma: PrismaClient, connections: HostConnections, pull: ClaimedPull, leaseMs: number): Promise<void> {
  // Only the claim that started it records the outcome: a takeover after the lease has its own startedAt.
  const mine = { id: pull.id, state: "pulling", startedAt: pull.startedAt };
  try {
    const host = await prisma.host.findUniqueOrThrow({ where: { id: pull.hostId } });
    const registryAuth = await registryAuthFor(prisma, pull.teamId, pull.image);
    const result = await connections.get(host).request("image.pull", { image: pull.image, ...(registryAuth ? { registryAuth } : {}) }, { timeoutMs: leaseMs });
    await prisma.hostImagePull.updateMany({ where: mine, data: { state: "done", digest: result.digest, finishedAt: new Date() } });
    await refreshCachedImages({ prisma, connections, host }).catch(() => undefined);
  } catch (error) {
    // No answer (the host went away, the call timed out): the pull may still go on there. It stays
    // pulling and is taken over after the lease, when the host answers again.
    if (isUnanswered(error)) return;
    await prisma.hostImagePull.updateMany({ where: mine, data: { state: "failed", error: pullError(error), finishedAt: new Date() } });
  }
}

/** Failures that say nothing about the pull itself: the transport, the call's timeout, the database. */
function isUnanswered(error: unknown): boolean {
  if (error instanceof RpcError) return error.code === rpcErrorCodes.connectionClosed || error.code === rpcErrorCodes.timeout;
  return !(error instanceof AppError);
}

function pullError(error: unknown): string {
  if (error instanceof RpcError && error.code === rpcErrorCodes.methodNotFound) return "This host's agent is too old to pull images ahead of runs; upgrade it (run install.sh again on the host).";
  return (error as Error).message;
}
