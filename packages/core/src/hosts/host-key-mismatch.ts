import type { PrismaClient } from "@bailey/db";
import type { HostKeyMismatchError } from "@bailey/agent-client";
import { recordAuditEvent } from "../audit";

/**
 * Fails closed: the host is marked key_mismatch (no new runs are placed there) and the
 * refusal is audited — once, however many attempts run into it.
 */
export async function recordHostKeyMismatch({ prisma, hostId, error }: { prisma: PrismaClient; hostId: string; error: HostKeyMismatchError }): Promise<void> {
  const { count } = await prisma.host.updateMany({ where: { id: hostId, status: { not: "key_mismatch" } }, data: { status: "key_mismatch", statusReason: error.message } });
  if (count === 0) return;
  const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  await recordAuditEvent(prisma, {
    teamId: host.teamId,
    actorType: "system",
    action: "host.key_mismatch",
    targetType: "host",
    targetId: host.id,
    hostId: host.id,
    data: { expected: error.expected, presented: error.presented, address: error.host },
  });
}
