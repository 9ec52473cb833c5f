import type { PrismaClient } from "@bailey/db";
import { type AuditActorType, appendAuditEvent, recordAuditEvent } from "../audit";
import { AppError } from "../errors";
import { isUniqueViolation } from "../unique-violation";

/**
 * One machine is one host row. Every agent reports a stable identity in its hello (see
 * apps/agent/src/identity.ts); the first row to hear it keeps it on Host.agentId. A second
 * row for the same agent would sweep the first row's containers in reconcile and drain its
 * journal into another audit log, so it is refused: at once when the identity is known while
 * adding or enrolling, otherwise on its first hello (status key_mismatch: nothing is placed,
 * dispatched, reconciled or ingested for it). An agent from before identities reports none
 * and is let through as "identity unknown": this guard then cannot tell its rows apart.
 */

interface IdentityHost {
  id: string;
  teamId: string;
  address: string;
  agentId: string | null;
}

/** Why `agentId` cannot be taken by a row of `teamId`; the holder is named only to its own team. */
export async function agentIdentityConflict(prisma: PrismaClient, teamId: string, agentId: string, exceptHostId?: string): Promise<string | null> {
  const holder = await prisma.host.findFirst({ where: { agentId, status: { not: "removed" }, ...(exceptHostId ? { id: { not: exceptHostId } } : {}) }, select: { name: true, teamId: true } });
  if (!holder) return null;
  return holder.teamId === teamId
    ? `This machine's agent (${agentId}) is already registered as host ${holder.name} in this team; one machine can be one host only. Use that host, or remove it first to register the machine again.`
    : `This machine's agent (${agentId}) is already registered to another team; one machine can be one host only. That team must remove it before it can be added here.`;
}

/** For add-host and enrollment, before any row exists: the refusal is audited in the asking team and thrown as CONFLICT. */
export async function assertAgentIdentityFree(
  prisma: PrismaClient,
  { teamId, agentId, actor, hostName, address }: { teamId: string; agentId: string | undefined; actor: { actorType: AuditActorType; actorId?: string | null }; hostName: string; address: string },
): Promise<void> {
  if (!agentId) return;
  const conflict = await agentIdentityConflict(prisma, teamId, agentId);
  if (!conflict) return;
  await recordAuditEvent(prisma, { teamId, ...actor, action: "host.identity_refused", targetType: "host", data: { name: hostName, address, agentId, reason: conflict } });
  throw new AppError("CONFLICT", conflict, { agentId });
}

/**
 * On each hello: records the identity on the row's first contact and checks it after. Returns
 * false when the row is refused (now key_mismatch with the reason, audited once).
 */
export async function claimAgentIdentity({ prisma, host, agentId }: { prisma: PrismaClient; host: IdentityHost; agentId: string | undefined }): Promise<boolean> {
  if (host.agentId) {
    if (agentId === host.agentId) return true;
    const reason = agentId
      ? `The agent at ${host.address} reports identity ${agentId}, but this host was registered with ${host.agentId}: it is another machine, or its state directory (BAILEY_AGENT_STATE_DIR) was wiped. Remove this host and enroll the machine again.`
      : `The agent at ${host.address} reports no identity, but this host was registered with ${host.agentId}: an older agent was installed. Reinstall the current agent (infra/install.sh).`;
    return refuse(prisma, host, reason, { expected: host.agentId, presented: agentId ?? null });
  }
  if (!agentId) return true;
  try {
    await prisma.host.updateMany({ where: { id: host.id, agentId: null }, data: { agentId } });
    const stored = await prisma.host.findUniqueOrThrow({ where: { id: host.id }, select: { agentId: true } });
    if (stored.agentId === agentId) return true;
    return claimAgentIdentity({ prisma, host: { ...host, agentId: stored.agentId }, agentId });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const reason = (await agentIdentityConflict(prisma, host.teamId, agentId, host.id)) ?? `This machine's agent (${agentId}) is already registered as another host; one machine can be one host only.`;
  return refuse(prisma, host, reason, { presented: agentId });
}

async function refuse(prisma: PrismaClient, host: IdentityHost, reason: string, data: Record<string, string | null>): Promise<false> {
  const { count } = await prisma.host.updateMany({ where: { id: host.id, status: { notIn: ["key_mismatch", "removed"] } }, data: { status: "key_mismatch", statusReason: reason } });
  if (count > 0) {
    await recordAuditEvent(prisma, { teamId: host.teamId, actorType: "system", action: "host.identity_refused", targetType: "host", targetId: host.id, hostId: host.id, data: { ...data, reason } });
  }
  return false;
}

/**
 * Undoes a row added or enrolled a moment ago whose first hello was refused: it is removed (its
 * name freed, its enrollment token usable again) and the refusal is thrown as CONFLICT.
 */
export async function withdrawRefusedHost(prisma: PrismaClient, hostId: string): Promise<never> {
  const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  const reason = host.statusReason ?? "This machine's agent is already registered as another host.";
  await prisma.$transaction(async (tx) => {
    await tx.host.update({ where: { id: host.id }, data: { status: "removed", name: `${host.name}~refused-${host.id}`, agentId: null, drainedAt: host.drainedAt ?? new Date() } });
    await tx.hostEnrollment.updateMany({ where: { hostId: host.id }, data: { usedAt: null, hostId: null } });
    await appendAuditEvent(tx, { teamId: host.teamId, actorType: "system", action: "host.removed", targetType: "host", targetId: host.id, hostId: host.id, data: { name: host.name, reason } });
  });
  throw new AppError("CONFLICT", reason, { hostId: host.id });
}
