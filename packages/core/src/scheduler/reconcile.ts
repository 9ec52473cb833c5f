import type { PrismaClient } from "@bailey/db";
import { recordAuditEvent } from "../audit";
import type { HostConnections, HostEndpoint } from "./host-connections";

/** How long a finished run keeps its container (and logs) on the host. */
const retentionMs = 7 * 24 * 3600 * 1000;

/**
 * Tells a host which runs the control plane still owns; the agent removes the labelled
 * resources of every other run (lost runs among them), and the removal is audited.
 */
export async function reconcileHost({ prisma, connections, host }: { prisma: PrismaClient; connections: HostConnections; host: HostEndpoint & { teamId: string } }) {
  const owned = await prisma.run.findMany({
    where: { hostId: host.id, state: { not: "lost" }, createdAt: { gt: new Date(Date.now() - retentionMs) } },
    select: { id: true },
  });
  const { removed } = await connections.get(host).request("host.reconcile", { ownedRunIds: owned.map((run) => run.id) }, { timeoutMs: 120_000 });
  await prisma.host.update({ where: { id: host.id }, data: { lastReconciledAt: new Date() } });
  if (removed.length) {
    await recordAuditEvent(prisma, { teamId: host.teamId, actorType: "system", action: "host.reconciled", targetType: "host", targetId: host.id, hostId: host.id, data: { removed } });
  }
  return removed;
}
