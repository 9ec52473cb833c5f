import type { PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { activeRunStates } from "../runs/state-machine";
import type { HostConnections } from "../scheduler/host-connections";
import { connectHost } from "./add-host";

async function findTeamHost(prisma: PrismaClient, ctx: TeamContext, hostId: string) {
  const host = await prisma.host.findFirst({ where: teamScope(ctx, { id: hostId, status: { not: "removed" as const } }) });
  if (!host) throw AppError.notFound("Host");
  return host;
}

/** No new runs go to a draining host; its running runs finish normally. */
export async function drainHost({ prisma, ctx, hostId }: { prisma: PrismaClient; ctx: TeamContext; hostId: string }) {
  requireRole(ctx, "admin");
  const host = await findTeamHost(prisma, ctx, hostId);
  if (host.drainedAt) return host;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.host.update({
      where: { id: host.id },
      // An offline or key-mismatched host keeps that status (it says more); drainedAt remembers the drain.
      data: { drainedAt: new Date(), ...(host.status === "online" ? { status: "draining" as const } : {}) },
    });
    await appendAuditEvent(tx, {
      teamId: host.teamId,
      ...auditActor(ctx),
      action: "host.drained",
      targetType: "host",
      targetId: host.id,
      hostId: host.id,
      data: { name: host.name, agentId: host.agentId },
    });
    return updated;
  });
}

/** Ends a drain: the host is greeted again and takes new runs when it answers. */
export async function resumeHost({ prisma, ctx, connections, hostId }: { prisma: PrismaClient; ctx: TeamContext; connections: HostConnections; hostId: string }) {
  requireRole(ctx, "admin");
  const host = await findTeamHost(prisma, ctx, hostId);
  if (!host.drainedAt) return host;
  await prisma.$transaction(async (tx) => {
    await tx.host.update({ where: { id: host.id }, data: { drainedAt: null, ...(host.status === "draining" ? { status: "online" as const } : {}) } });
    await appendAuditEvent(tx, { teamId: host.teamId, ...auditActor(ctx), action: "host.resumed", targetType: "host", targetId: host.id, hostId: host.id, data: { name: host.name } });
  });
  return host.status === "key_mismatch" ? prisma.host.findUniqueOrThrow({ where: { id: host.id } }) : connectHost({ prisma, connections, hostId: host.id });
}

/**
 * Forgets a host. Its runs keep their history; a host with runs still active is refused
 * (drain it and let them finish, or stop them) so no run is left with nobody watching.
 * The row stays for that history under a name no new host can take, freeing the name.
 */
export async function removeHost({ prisma, ctx, connections, hostId }: { prisma: PrismaClient; ctx: TeamContext; connections: HostConnections; hostId: string }) {
  requireRole(ctx, "admin");
  const host = await findTeamHost(prisma, ctx, hostId);
  const active = await prisma.run.count({ where: { hostId: host.id, state: { in: [...activeRunStates] } } });
  if (active > 0) {
    throw new AppError("CONFLICT", `Host ${host.name} still has ${active} active run${active === 1 ? "" : "s"}; drain it and let them finish, or stop them, then remove it.`);
  }
  const removed = await prisma.$transaction(async (tx) => {
    const updated = await tx.host.update({
      where: { id: host.id },
      // '~' is not allowed in host names, so the freed name can be taken again without a clash.
      // The identity goes with it, so the machine can be enrolled again (here or in another team).
      data: { status: "removed", statusReason: `removed; it was named ${host.name}`, name: `${host.name}~removed-${host.id}`, agentId: null, drainedAt: host.drainedAt ?? new Date() },
    });
    await appendAuditEvent(tx, {
      teamId: host.teamId,
      ...auditActor(ctx),
      action: "host.removed",
      targetType: "host",
      targetId: host.id,
      hostId: host.id,
      data: { name: host.name, agentId: host.agentId },
    });
    return updated;
  });
  connections.forget(host.id);
  return removed;
}
