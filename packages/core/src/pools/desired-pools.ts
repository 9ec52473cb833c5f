import { createHash } from "node:crypto";
import type { PoolSpecInput, PoolStatus } from "@bailey/protocol";
import type { PoolResources, PoolSandbox } from "./pool-rules";

export interface WarmPoolRow {
  id: string;
  hostId: string;
  image: string;
  sandbox: PoolSandbox;
  resources: unknown;
  size: number;
  idleCommand: string[];
}

/** The pool as its host's agent is told it (pool.configure's PoolSpec): the pool's id is the row's. */
export function poolSpecOf(row: WarmPoolRow): PoolSpecInput {
  return {
    poolId: row.id,
    image: row.image,
    sandbox: row.sandbox,
    resources: (row.resources ?? {}) as PoolResources,
    size: row.size,
    ...(row.idleCommand.length ? { idleCommand: row.idleCommand } : {}),
  };
}

/** A stable fingerprint of a host's desired pools: another one means they must be pushed again. */
export function poolSetHash(pools: readonly PoolSpecInput[]): string {
  const canonical = [...pools]
    .sort((a, b) => a.poolId.localeCompare(b.poolId))
    .map((pool) => [pool.poolId, pool.image, pool.sandbox, pool.resources?.cpus ?? null, pool.resources?.memoryBytes ?? null, pool.resources?.pids ?? null, pool.size, pool.idleCommand ?? null]);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/**
 * Whether the agent's report describes exactly the desired pools. It does not after the agent
 * restarted (it reports none) or when another control plane pushed an older set: push again.
 */
export function statusMatchesDesired(status: readonly PoolStatus[], desired: readonly PoolSpecInput[]): boolean {
  if (status.length !== desired.length) return false;
  return desired.every((pool) => status.some((entry) => entry.poolId === pool.poolId && entry.image === pool.image && entry.sandbox === pool.sandbox && entry.size === pool.size));
}
