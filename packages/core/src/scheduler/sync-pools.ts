import type { PrismaClient } from "@bailey/db";
import { Prisma } from "@bailey/db";
import { isRpcError, type PoolStatus, rpcErrorCodes } from "@bailey/protocol";
import { poolSetHash, poolSpecOf, statusMatchesDesired } from "../pools/desired-pools";
import { storedPoolStatuses } from "../pools/warm-pools";
import type { HostConnections, HostEndpoint } from "./host-connections";
import { logger } from "../observability/logger";

/** The Host columns this step reads. */
export interface PoolSyncHost extends HostEndpoint {
  id: string;
  name: string;
  agentVersion: string | null;
  poolStatus: unknown;
  poolsPushedHash: string | null;
}

// Hosts (by id and agent version) whose agent answered pool.configure with "method not found":
// said once, then left alone until their agent changes version.
const agentsWithoutPools = new Set<string>();

/**
 * Keeps each answering host's warm pools as the team configured them: pushes the desired set
 * with pool.configure when it changed or the agent no longer reports it (restarted,
 * reconnected), otherwise polls pool.status; then records every host's report in one UPDATE.
 * One query for the desired pools of all hosts, one write: nothing per host per tick in Postgres.
 */
export async function syncHostPools({ prisma, connections, hosts }: { prisma: PrismaClient; connections: HostConnections; hosts: readonly PoolSyncHost[] }): Promise<{ configured: number }> {
  if (!hosts.length) return { configured: 0 };
  const rows = await prisma.warmPool.findMany({ where: { hostId: { in: hosts.map((host) => host.id) } }, orderBy: { id: "asc" } });
  const reports: { hostId: string; status: PoolStatus[]; pushedHash: string | null }[] = [];
  let configured = 0;
  await Promise.all(
    hosts.map(async (host) => {
      const agentKey = `${host.id}@${host.agentVersion ?? "?"}`;
      if (agentsWithoutPools.has(agentKey)) return;
      const desired = rows.filter((row) => row.hostId === host.id).map(poolSpecOf);
      const hash = poolSetHash(desired);
      const last = storedPoolStatuses(host.poolStatus);
      // A host that never had pools and has none wanted costs no call at all.
      if (!desired.length && !last.length && host.poolsPushedHash === hash) return;
      const agent = connections.get(host);
      try {
        if (host.poolsPushedHash !== hash || !statusMatchesDesired(last, desired)) {
          const { pools } = await agent.request("pool.configure", { pools: desired }, { timeoutMs: 30_000 });
          configured += 1;
          // What the agent reported back is what it holds: if it disagrees it is pushed again next tick.
          reports.push({ hostId: host.id, status: pools, pushedHash: hash });
        } else {
          const { pools } = await agent.request("pool.status", {}, { timeoutMs: 15_000 });
          reports.push({ hostId: host.id, status: pools, pushedHash: hash });
        }
      } catch (error) {
        if (isRpcError(error, rpcErrorCodes.methodNotFound)) {
          agentsWithoutPools.add(agentKey);
          logger()
            .child({ component: "scheduler", hostId: host.id })
            .warn(`host ${host.name}'s agent (${host.agentVersion ?? "unknown version"}) has no warm pools; its pools stay unfilled until it is upgraded.`);
          reports.push({ hostId: host.id, status: [], pushedHash: null });
          return;
        }
        // Tried again next tick; the last report stays as it was.
        logger()
          .child({ component: "scheduler", hostId: host.id })
          .error(`warm pools of host ${host.name}: ${(error as Error).message}`);
      }
    }),
  );
  await recordPoolReports(prisma, reports);
  return { configured };
}

/** Every host's report in one statement. */
async function recordPoolReports(prisma: PrismaClient, reports: { hostId: string; status: PoolStatus[]; pushedHash: string | null }[]): Promise<void> {
  if (!reports.length) return;
  const values = Prisma.join(reports.map(({ hostId, status, pushedHash }) => Prisma.sql`(${hostId}, ${JSON.stringify(status)}::jsonb, ${pushedHash})`));
  await prisma.$executeRaw`
    UPDATE "Host" AS h SET "poolStatus" = v.status, "poolStatusAt" = now(), "poolsPushedHash" = v.hash
    FROM (VALUES ${values}) AS v(id, status, hash) WHERE h.id = v.id`;
}

/** For tests: forget which agents had no pools. */
export function forgetAgentsWithoutPools(): void {
  agentsWithoutPools.clear();
}
