import type { Prisma, PrismaClient } from "@bailey/db";
import type { PoolStatus } from "@bailey/protocol";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { type PoolResources, type PoolSandbox, parseIdleCommand, parsePoolImage, parsePoolResources, parsePoolSandbox, parsePoolSize, sameResources } from "./pool-rules";

const poolRow = {
  id: true,
  hostId: true,
  image: true,
  sandbox: true,
  resources: true,
  size: true,
  idleCommand: true,
  createdAt: true,
  updatedAt: true,
  host: { select: { name: true, poolStatus: true, poolStatusAt: true } },
  createdBy: { select: { id: true, email: true, name: true } },
} as const satisfies Prisma.WarmPoolSelect;

type PoolRow = Prisma.WarmPoolGetPayload<{ select: typeof poolRow }>;

/** A warm pool as the team sees it, with what its host last said about it. */
export interface WarmPool {
  id: string;
  hostId: string;
  hostName: string;
  image: string;
  sandbox: PoolSandbox;
  resources: PoolResources;
  size: number;
  /** Empty: the agent's default, sleep infinity. */
  idleCommand: string[];
  /** The host's last report for this pool; null until the host has answered with it (or when its agent has no pools). */
  status: Pick<PoolStatus, "idle" | "starting" | "claimedTotal" | "lastError" | "imageDigest"> | null;
  statusAt: Date | null;
  createdBy: { id: string; email: string; name: string | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The host's PoolStatus list as stored (anything else reads as none). */
export function storedPoolStatuses(value: unknown): PoolStatus[] {
  return Array.isArray(value) ? (value as PoolStatus[]).filter((entry) => entry && typeof entry === "object" && typeof entry.poolId === "string") : [];
}

function poolView(row: PoolRow): WarmPool {
  const status = storedPoolStatuses(row.host.poolStatus).find((entry) => entry.poolId === row.id);
  return {
    id: row.id,
    hostId: row.hostId,
    hostName: row.host.name,
    image: row.image,
    sandbox: row.sandbox,
    resources: (row.resources ?? {}) as PoolResources,
    size: row.size,
    idleCommand: row.idleCommand,
    status: status ? { idle: status.idle, starting: status.starting, claimedTotal: status.claimedTotal, lastError: status.lastError, imageDigest: status.imageDigest } : null,
    statusAt: status ? row.host.poolStatusAt : null,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The team's pools, of one host or all, by host then image. Anyone in the team may read them. */
export async function listWarmPools({ prisma, ctx, hostId }: { prisma: PrismaClient; ctx: TeamContext; hostId?: string }): Promise<WarmPool[]> {
  const rows = await prisma.warmPool.findMany({ where: teamScope(ctx, hostId ? { hostId } : {}), orderBy: [{ host: { name: "asc" } }, { image: "asc" }, { createdAt: "asc" }], select: poolRow });
  return rows.map(poolView);
}

/** The team's host, or a 404 (another team's host is not found either). */
async function teamHost(tx: Prisma.TransactionClient, ctx: TeamContext, hostId: unknown): Promise<{ id: string; name: string; hasRunsc: boolean; agentVersion: string | null }> {
  if (typeof hostId !== "string" || !hostId.trim())
    throw new AppError("BAD_REQUEST", "Name the host the pool is on (hostId; `bailey hosts ls` lists them).", { fields: [{ field: "hostId", message: "required" }] });
  const host = await tx.host.findFirst({ where: teamScope(ctx, { id: hostId.trim(), status: { not: "removed" as const } }), select: { id: true, name: true, hasRunsc: true, agentVersion: true } });
  if (!host) throw new AppError("NOT_FOUND", `The team has no host ${hostId.trim().slice(0, 80)}; \`bailey hosts ls\` lists the team's hosts.`);
  return host;
}

/** One pool per image, sandbox and resources on a host: a second would only split the same runs. */
async function refuseDuplicate(tx: Prisma.TransactionClient, pool: { id?: string; hostId: string; image: string; sandbox: PoolSandbox; resources: PoolResources }, hostName: string): Promise<void> {
  const siblings = await tx.warmPool.findMany({
    where: { hostId: pool.hostId, image: pool.image, sandbox: pool.sandbox, ...(pool.id ? { id: { not: pool.id } } : {}) },
    select: { id: true, resources: true },
  });
  const same = siblings.find((sibling) => sameResources((sibling.resources ?? {}) as PoolResources, pool.resources));
  if (same) throw new AppError("CONFLICT", `Host ${hostName} already has a pool of ${pool.image} (${pool.sandbox}) with these resources (${same.id}): change its size instead.`, { poolId: same.id });
}

function refuseUnsandboxable(host: { name: string; hasRunsc: boolean; agentVersion: string | null }, sandbox: PoolSandbox): void {
  // Before its agent said hello nothing is known; after, a gVisor pool on a host without runsc could never fill.
  if (sandbox === "gvisor" && host.agentVersion && !host.hasRunsc)
    throw new AppError("BAD_REQUEST", `Host ${host.name} has no gVisor (runsc): install it there (bailey-agent doctor says how), or make the pool sandbox "none".`, {
      fields: [{ field: "sandbox", message: "the host has no gVisor" }],
    });
}

export interface CreateWarmPoolOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  hostId: unknown;
  image: unknown;
  sandbox?: unknown;
  resources?: unknown;
  size: unknown;
  idleCommand?: unknown;
}

/** Adds a pool to one of the team's hosts; admins and owners only. The scheduler pushes it to the host on its next tick. */
export async function createWarmPool({
  prisma,
  ctx,
  hostId,
  image: imageInput,
  sandbox: sandboxInput,
  resources: resourcesInput,
  size: sizeInput,
  idleCommand: idleInput,
}: CreateWarmPoolOptions): Promise<WarmPool> {
  requireRole(ctx, "admin");
  const image = parsePoolImage(imageInput);
  const sandbox = parsePoolSandbox(sandboxInput);
  const resources = parsePoolResources(resourcesInput);
  const size = parsePoolSize(sizeInput);
  const idleCommand = parseIdleCommand(idleInput);
  return prisma.$transaction(async (tx) => {
    const host = await teamHost(tx, ctx, hostId);
    refuseUnsandboxable(host, sandbox);
    await refuseDuplicate(tx, { hostId: host.id, image, sandbox, resources }, host.name);
    const row = await tx.warmPool.create({
      data: { teamId: ctx.teamId, hostId: host.id, image, sandbox, resources: resources as Prisma.InputJsonObject, size, idleCommand, createdById: ctx.actor.userId },
      select: poolRow,
    });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "pool.created",
      targetType: "pool",
      targetId: row.id,
      hostId: host.id,
      data: { host: host.name, image, sandbox, resources, size, idleCommand },
    });
    return poolView(row);
  });
}

export interface UpdateWarmPoolOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  poolId: string;
  image?: unknown;
  sandbox?: unknown;
  resources?: unknown;
  size?: unknown;
  /** Omitted keeps it; null or [] means the default. */
  idleCommand?: unknown;
}

/**
 * Changes a pool; admins and owners only. A new size fills or trims in the background; a new
 * image, sandbox, resources or idle command replaces the idle containers (runs already given one keep it).
 */
export async function updateWarmPool({
  prisma,
  ctx,
  poolId,
  image: imageInput,
  sandbox: sandboxInput,
  resources: resourcesInput,
  size: sizeInput,
  idleCommand: idleInput,
}: UpdateWarmPoolOptions): Promise<WarmPool> {
  requireRole(ctx, "admin");
  if (imageInput === undefined && sandboxInput === undefined && resourcesInput === undefined && sizeInput === undefined && idleInput === undefined)
    throw new AppError("BAD_REQUEST", "Give at least one of image, sandbox, resources, size or idleCommand to change.");
  const changes = {
    ...(imageInput === undefined ? {} : { image: parsePoolImage(imageInput) }),
    ...(sandboxInput === undefined ? {} : { sandbox: parsePoolSandbox(sandboxInput) }),
    ...(resourcesInput === undefined ? {} : { resources: parsePoolResources(resourcesInput) }),
    ...(sizeInput === undefined ? {} : { size: parsePoolSize(sizeInput) }),
    ...(idleInput === undefined ? {} : { idleCommand: parseIdleCommand(idleInput) }),
  };
  return prisma.$transaction(async (tx) => {
    const existing = await tx.warmPool.findFirst({ where: teamScope(ctx, { id: poolId }), select: { ...poolRow, host: { select: { name: true, hasRunsc: true, agentVersion: true } } } });
    if (!existing) throw AppError.notFound("Pool");
    const next = { id: existing.id, hostId: existing.hostId, image: existing.image, sandbox: existing.sandbox, resources: (existing.resources ?? {}) as PoolResources, ...changes };
    if (changes.sandbox) refuseUnsandboxable(existing.host, changes.sandbox);
    if (changes.image || changes.sandbox || changes.resources) await refuseDuplicate(tx, next, existing.host.name);
    const row = await tx.warmPool.update({
      where: { id: existing.id },
      data: {
        ...(changes.image === undefined ? {} : { image: changes.image }),
        ...(changes.sandbox === undefined ? {} : { sandbox: changes.sandbox }),
        ...(changes.resources === undefined ? {} : { resources: changes.resources as Prisma.InputJsonObject }),
        ...(changes.size === undefined ? {} : { size: changes.size }),
        ...(changes.idleCommand === undefined ? {} : { idleCommand: changes.idleCommand }),
      },
      select: poolRow,
    });
    const before: Record<string, unknown> = { image: existing.image, sandbox: existing.sandbox, resources: existing.resources, size: existing.size, idleCommand: existing.idleCommand };
    const changed = Object.fromEntries(
      Object.entries(changes)
        .filter(([key, value]) => JSON.stringify(before[key]) !== JSON.stringify(value))
        .map(([key, value]) => [key, { from: before[key], to: value }]),
    );
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "pool.updated",
      targetType: "pool",
      targetId: row.id,
      hostId: row.hostId,
      data: { host: existing.host.name, image: row.image, changed },
    });
    return poolView(row);
  });
}

/** Removes a pool; admins and owners only. Its idle containers are drained on the host's next tick; runs given one keep it. */
export async function deleteWarmPool({ prisma, ctx, poolId }: { prisma: PrismaClient; ctx: TeamContext; poolId: string }): Promise<WarmPool> {
  requireRole(ctx, "admin");
  return prisma.$transaction(async (tx) => {
    const existing = await tx.warmPool.findFirst({ where: teamScope(ctx, { id: poolId }), select: poolRow });
    if (!existing) throw AppError.notFound("Pool");
    await tx.warmPool.delete({ where: { id: existing.id } });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "pool.deleted",
      targetType: "pool",
      targetId: existing.id,
      hostId: existing.hostId,
      data: { host: existing.host.name, image: existing.image, sandbox: existing.sandbox, size: existing.size },
    });
    return poolView(existing);
  });
}
