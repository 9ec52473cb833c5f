import type { Prisma } from "@bailey/db";
import { type RunSpec, warmPoolMatch } from "@bailey/protocol";
import type { PoolResources, PoolSandbox } from "../pools/pool-rules";
import { storedPoolStatuses } from "../pools/warm-pools";
import { validateRunSpec } from "../runs/run-spec";

/** A pool on a candidate host, with the idle containers its host last reported (placement counts them down as it assigns). */
export interface HostWarmPool {
  poolId: string;
  image: string;
  sandbox: PoolSandbox;
  resources: PoolResources;
  idle: number;
}

/**
 * The pools of these hosts that had an idle container at their host's last report, by host.
 * Empty (and no further query) when no host has any: placement then costs what it did before pools.
 */
export async function idleWarmPools(tx: Prisma.TransactionClient, hosts: readonly { id: string; poolStatus: unknown }[]): Promise<Map<string, HostWarmPool[]>> {
  const idleByPool = new Map<string, number>();
  for (const host of hosts) for (const status of storedPoolStatuses(host.poolStatus)) if (status.idle > 0) idleByPool.set(status.poolId, status.idle);
  const byHost = new Map<string, HostWarmPool[]>();
  if (!idleByPool.size) return byHost;
  const rows = await tx.warmPool.findMany({
    where: { id: { in: [...idleByPool.keys()] }, hostId: { in: hosts.map((host) => host.id) } },
    select: { id: true, hostId: true, image: true, sandbox: true, resources: true },
  });
  for (const row of rows) {
    const pool: HostWarmPool = { poolId: row.id, image: row.image, sandbox: row.sandbox, resources: (row.resources ?? {}) as PoolResources, idle: idleByPool.get(row.id) ?? 0 };
    byHost.set(row.hostId, [...(byHost.get(row.hostId) ?? []), pool]);
  }
  return byHost;
}

/** The specs the agent would get for these runs (only asked for when some host has an idle pool); a spec that no longer validates has none. */
export async function agentSpecsOf(tx: Prisma.TransactionClient, runIds: readonly string[]): Promise<Map<string, RunSpec>> {
  const rows = await tx.run.findMany({ where: { id: { in: [...runIds] } }, select: { id: true, spec: true } });
  const specs = new Map<string, RunSpec>();
  for (const row of rows) {
    try {
      specs.set(row.id, validateRunSpec(row.spec, { storedRunId: row.id }).agentSpec);
    } catch {
      // Dispatch fails it with the reason; placement only loses the preference.
    }
  }
  return specs;
}

/** The host's pool with an idle container this run can claim, if any. */
export function warmPoolFor(spec: RunSpec | undefined, pools: readonly HostWarmPool[] | undefined): HostWarmPool | undefined {
  if (!spec || !pools) return undefined;
  return pools.find((pool) => pool.idle > 0 && warmPoolMatch(spec, pool));
}
