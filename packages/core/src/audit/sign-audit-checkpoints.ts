import type { PrismaClient } from "@bailey/db";
import { AuditChainChecker, type ChainBreak } from "./chain-checker";
import { type SignedCheckpoint, checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";
import { genesisHash } from "./hash";
import type { AuditSigningKey } from "./signing-key";

export type CheckpointOutcome = { signed: SignedCheckpoint; stored: boolean } | { refused: ChainBreak };

const pageSize = 1_000;

/**
 * Signs the team's current chain head, after checking every event since the last checkpoint
 * this key signed (the whole chain when there is none): a chain already rewritten is refused,
 * never signed, so a forgery cannot launder itself through the next checkpoint. Stored unless
 * a checkpoint at that seq exists already (another signer got there first); a chain with no
 * events yet gets a signature of its genesis that is not stored.
 */
export async function signAuditCheckpoint({ prisma, teamId, key, now = new Date() }: { prisma: PrismaClient; teamId: string; key: AuditSigningKey; now?: Date }): Promise<CheckpointOutcome> {
  const head = (await prisma.auditChainHead.findUnique({ where: { teamId } })) ?? { seq: 0, hash: genesisHash };
  const last = await prisma.auditCheckpoint.findFirst({ where: { teamId, keyId: key.keyId, seq: { lte: head.seq } }, orderBy: { seq: "desc" } });
  if (last && !checkpointSignatureValid(key, last)) {
    return { refused: { brokenAtSeq: last.seq, reason: `the checkpoint at event ${last.seq} does not carry a valid signature: the audit tables were tampered with; run verify` } };
  }
  const checker = new AuditChainChecker(teamId, key, last ?? undefined);
  while (checker.seq < head.seq) {
    const page = await prisma.auditEvent.findMany({ where: { teamId, seq: { gt: checker.seq, lte: head.seq } }, orderBy: { seq: "asc" }, take: pageSize });
    if (page.length === 0) return { refused: { brokenAtSeq: checker.seq + 1, reason: `events after ${checker.seq} are missing but the head is at ${head.seq}` } };
    for (const event of page) if (!checker.event(event)) return { refused: checker.broken! };
  }
  if (checker.hash !== head.hash) return { refused: { brokenAtSeq: head.seq, reason: `the chain head does not match event ${head.seq}` } };

  const signed = signCheckpoint(key, { teamId, seq: head.seq, hash: head.hash, signedAt: now });
  if (head.seq === 0) return { signed, stored: false };
  const { count } = await prisma.auditCheckpoint.createMany({ data: [signed], skipDuplicates: true });
  return { signed, stored: count === 1 };
}

export interface CheckpointSchedule {
  /** Sign once this many events are unsigned... */
  everyEvents: number;
  /** ...or once the oldest unsigned event is this old. */
  everySeconds: number;
}

export const defaultCheckpointSchedule: CheckpointSchedule = { everyEvents: 100, everySeconds: 60 };

/**
 * One pass of the periodic signer (after each scheduler tick): every team whose unsigned
 * events are many enough or old enough gets its head signed. Teams whose chain fails the
 * check are reported, not signed.
 */
export async function signDueAuditCheckpoints({
  prisma,
  key,
  schedule = defaultCheckpointSchedule,
  now = new Date(),
}: {
  prisma: PrismaClient;
  key: AuditSigningKey;
  schedule?: CheckpointSchedule;
  now?: Date;
}): Promise<{ signed: number; refused: { teamId: string; brokenAtSeq: number; reason: string }[] }> {
  const cutoff = new Date(now.getTime() - schedule.everySeconds * 1000);
  const due = await prisma.$queryRaw<{ teamId: string }[]>`
    SELECT h."teamId" FROM "AuditChainHead" h
    LEFT JOIN LATERAL (
      SELECT c."seq" FROM "AuditCheckpoint" c WHERE c."teamId" = h."teamId" AND c."keyId" = ${key.keyId} ORDER BY c."seq" DESC LIMIT 1
    ) last ON true
    WHERE h."seq" > COALESCE(last."seq", 0)
      AND (h."seq" - COALESCE(last."seq", 0) >= ${schedule.everyEvents}
        OR EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."teamId" = h."teamId" AND e."seq" = COALESCE(last."seq", 0) + 1 AND e."createdAt" <= ${cutoff}))
    ORDER BY h."teamId"`;
  let signed = 0;
  const refused: { teamId: string; brokenAtSeq: number; reason: string }[] = [];
  for (const { teamId } of due) {
    const outcome = await signAuditCheckpoint({ prisma, teamId, key, now });
    if ("refused" in outcome) refused.push({ teamId, ...outcome.refused });
    else if (outcome.stored) signed += 1;
  }
  return { signed, refused };
}
