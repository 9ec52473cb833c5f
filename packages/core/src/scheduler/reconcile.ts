import type { PrismaClient } from "@bailey/db";
import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import { recordAuditEvent } from "../audit";
import type { HostConnections, HostEndpoint } from "./host-connections";

/** How long a finished run keeps its container (and logs) on the host. */
const retentionMs = 7 * 24 * 3600 * 1000;

/**
 * Tells a host which runs the control plane still owns, and the agent removes the labelled
 * resources of the others (lost runs among them); the removal is audited. Only resources of
 * runs that Postgres does not give to another host row go: the agent first reports what it
 * would remove (a dry run), those runs are checked, and removal is scoped to what passed.
 */
export async function reconcileHost({ prisma, connections, host }: { prisma: PrismaClient; connections: HostConnections; host: HostEndpoint & { teamId: string } }) {
  const owned = await prisma.run.findMany({
    where: { hostId: host.id, state: { not: "lost" }, createdAt: { gt: new Date(Date.now() - retentionMs) } },
    select: { id: true },
  });
  const ownedRunIds = owned.map((run) => run.id);
  const agent = connections.get(host);
  let removed: Awaited<ReturnType<typeof agent.request<"host.reconcile">>>["removed"];
  let keptForOtherHosts = 0;
  try {
    const { removed: candidates } = await agent.request("host.reconcile", { ownedRunIds, dryRun: true }, { timeoutMs: 120_000 });
    const candidateRunIds = [...new Set(candidates.map((resource) => resource.runId).filter((id): id is string => id !== null))];
    const elsewhere = new Set(await runsOfOtherHosts(prisma, host.id, candidateRunIds));
    keptForOtherHosts = elsewhere.size;
    const removeOnly = candidateRunIds.filter((id) => !elsewhere.has(id));
    removed = removeOnly.length ? (await agent.request("host.reconcile", { ownedRunIds, removeOnly }, { timeoutMs: 120_000 })).removed : [];
  } catch (error) {
    if (!(error instanceof RpcError && error.code === rpcErrorCodes.invalidParams)) throw error;
    // An agent from before dry runs: what it says runs is kept too when another row owns it.
    const running = (await agent.hello()).runningRuns;
    const elsewhere = await runsOfOtherHosts(prisma, host.id, running);
    keptForOtherHosts = elsewhere.length;
    removed = (await agent.request("host.reconcile", { ownedRunIds: [...ownedRunIds, ...elsewhere] }, { timeoutMs: 120_000 })).removed;
  }
  await prisma.host.update({ where: { id: host.id }, data: { lastReconciledAt: new Date() } });
  if (removed.length || keptForOtherHosts) {
    await recordAuditEvent(prisma, {
      teamId: host.teamId,
      actorType: "system",
      action: "host.reconciled",
      targetType: "host",
      targetId: host.id,
      hostId: host.id,
      // Only a count for the kept ones: their runs may be another team's.
      data: { removed, ...(keptForOtherHosts ? { keptForOtherHosts } : {}) },
    });
  }
  return removed;
}

async function runsOfOtherHosts(prisma: PrismaClient, hostId: string, runIds: string[]): Promise<string[]> {
  if (!runIds.length) return [];
  const runs = await prisma.run.findMany({ where: { id: { in: runIds }, hostId: { not: null }, NOT: { hostId } }, select: { id: true } });
  return runs.map((run) => run.id);
}
