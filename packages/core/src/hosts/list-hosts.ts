import type { PrismaClient } from "@bailey/db";
import type { CachedImage } from "@bailey/protocol";
import { teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { activeRunStates } from "../runs/state-machine";

const hostSelect = {
  id: true,
  name: true,
  status: true,
  statusReason: true,
  address: true,
  sshPort: true,
  sshUser: true,
  hostKeyFingerprint: true,
  agentId: true,
  runtimeType: true,
  agentVersion: true,
  labels: true,
  capacityRuns: true,
  cpus: true,
  memoryBytes: true,
  hasNetworks: true,
  hasSidecars: true,
  hasBuilds: true,
  hasRunsc: true,
  hasWorkspaces: true,
  drainedAt: true,
  lastSeenAt: true,
  cachedImages: true,
  cachedImagesAt: true,
  createdAt: true,
} as const;

/** The team's hosts (removed ones excepted) with how many runs each is carrying now. */
export async function listHosts({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  const hosts = await prisma.host.findMany({ where: teamScope(ctx, { status: { not: "removed" as const } }), orderBy: { name: "asc" }, select: hostSelect });
  const counts = await prisma.run.groupBy({ by: ["hostId"], where: teamScope(ctx, { hostId: { in: hosts.map((host) => host.id) }, state: { in: [...activeRunStates] } }), _count: true });
  const active = new Map(counts.map((row) => [row.hostId, row._count]));
  return hosts.map((host) => ({ ...host, cachedImages: host.cachedImages as unknown as CachedImage[], activeRuns: active.get(host.id) ?? 0 }));
}

export async function getHost({ prisma, ctx, hostId }: { prisma: PrismaClient; ctx: TeamContext; hostId: string }) {
  const host = await prisma.host.findFirst({ where: teamScope(ctx, { id: hostId }), select: hostSelect });
  if (!host) throw AppError.notFound("Host");
  const activeRuns = await prisma.run.count({ where: teamScope(ctx, { hostId, state: { in: [...activeRunStates] } }) });
  return { ...host, cachedImages: host.cachedImages as unknown as CachedImage[], activeRuns };
}
