import type { Prisma, PrismaClient } from "@bailey/db";
import { chainHash, genesisHash } from "./hash";

export type AuditActorType = "user" | "token" | "system" | "agent";

export interface AuditEventInput {
  teamId: string;
  actorType: AuditActorType;
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  runId?: string | null;
  hostId?: string | null;
  data?: Record<string, unknown>;
}

type Transaction = Prisma.TransactionClient;

/**
 * Appends to the team's hash chain inside the caller's transaction, so the event
 * commits with the change it records. The chain head row is locked for the append,
 * which orders concurrent writers of one team without blocking other teams.
 */
export async function appendAuditEvent(tx: Transaction, input: AuditEventInput) {
  const head = await lockChainHead(tx, input.teamId);
  // Millisecond precision: what Postgres stores is what verification will read back.
  const fields = chainedFields(input, head.seq + 1, new Date(Math.floor(Date.now())));
  const hash = chainHash(head.hash, fields);
  const event = await tx.auditEvent.create({
    data: { ...fields, data: fields.data as Prisma.InputJsonValue, prevHash: head.hash, hash },
  });
  await tx.auditChainHead.update({ where: { teamId: input.teamId }, data: { seq: fields.seq, hash } });
  return event;
}

/**
 * Appends of one team queue on its head row, and under a burst each waits for a pooled
 * connection first: Prisma's default 2 s wait for one would fail appends that only needed to queue.
 */
const ownTransaction = { maxWait: 30_000, timeout: 30_000 };

/** Appends in a transaction of its own, for actions that change nothing else. */
export function recordAuditEvent(prisma: PrismaClient, input: AuditEventInput) {
  return prisma.$transaction((tx) => appendAuditEvent(tx, input), ownTransaction);
}

/**
 * Appends many events in one go (the scheduler places hundreds of runs per transaction): each
 * team's head is locked once, in team order so concurrent batches cannot deadlock, and the
 * chain is computed exactly as one append after another would.
 */
export async function appendAuditEvents(tx: Transaction, inputs: AuditEventInput[]): Promise<void> {
  const byTeam = new Map<string, AuditEventInput[]>();
  for (const input of inputs) byTeam.set(input.teamId, [...(byTeam.get(input.teamId) ?? []), input]);
  for (const teamId of [...byTeam.keys()].sort()) {
    let { seq, hash } = await lockChainHead(tx, teamId);
    const createdAt = new Date(Math.floor(Date.now()));
    const rows = byTeam.get(teamId)!.map((input) => {
      seq += 1;
      const fields = chainedFields(input, seq, createdAt);
      const prevHash = hash;
      hash = chainHash(prevHash, fields);
      return { ...fields, data: fields.data as Prisma.InputJsonValue, prevHash, hash };
    });
    await tx.auditEvent.createMany({ data: rows });
    await tx.auditChainHead.update({ where: { teamId }, data: { seq, hash } });
  }
}

/** The team's chain head, created at genesis if missing, locked for this transaction's appends. */
async function lockChainHead(tx: Transaction, teamId: string): Promise<{ seq: number; hash: string }> {
  await tx.$executeRaw`
    INSERT INTO "AuditChainHead" ("teamId", "seq", "hash") VALUES (${teamId}, 0, ${genesisHash})
    ON CONFLICT ("teamId") DO NOTHING`;
  const [head] = await tx.$queryRaw<{ seq: number; hash: string }[]>`
    SELECT "seq", "hash" FROM "AuditChainHead" WHERE "teamId" = ${teamId} FOR UPDATE`;
  if (!head) throw new Error(`audit chain head for team ${teamId} vanished`);
  return head;
}

/** An event's columns as the chain hashes them: absent optionals are null, absent data is {}. */
function chainedFields(input: AuditEventInput, seq: number, createdAt: Date) {
  return {
    teamId: input.teamId,
    seq,
    actorType: input.actorType,
    actorId: input.actorId ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    runId: input.runId ?? null,
    hostId: input.hostId ?? null,
    data: input.data ?? {},
    createdAt,
  };
}
