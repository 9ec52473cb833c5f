import type { PrismaClient } from "@bailey/db";
import { AuditChainChecker } from "./chain-checker";
import { type SignatureStatus, signatureStatus } from "./signature-summary";
import type { AuditPublicKey } from "./signing-key";

export type ChainVerification = ({ valid: true; headHash: string } | { valid: false; brokenAtSeq: number; reason: string }) & { events: number; signatures: SignatureStatus };

const pageSize = 1_000;

/**
 * Recomputes a team's chain from the start, checks every checkpoint against the configured
 * key, and names the first event that does not fit. What it cannot see: checkpoints deleted
 * from the end together with a rewrite of the events after the remaining last one; those
 * events are reported as unsigned, and an export's signed head kept elsewhere settles it.
 */
export async function verifyAuditChain({ prisma, teamId, key = null }: { prisma: PrismaClient; teamId: string; key?: AuditPublicKey | null }): Promise<ChainVerification> {
  const checker = new AuditChainChecker(teamId, key);
  const result = (): ChainVerification => {
    const signatures = signatureStatus(checker, key, checker.seq);
    return checker.broken ? { valid: false, events: checker.broken.brokenAtSeq - 1, ...checker.broken, signatures } : { valid: true, events: checker.seq, headHash: checker.hash, signatures };
  };
  for (;;) {
    const page = await prisma.auditEvent.findMany({ where: { teamId, seq: { gt: checker.seq } }, orderBy: { seq: "asc" }, take: pageSize });
    if (page.length === 0) break;
    const checkpoints = key ? await prisma.auditCheckpoint.findMany({ where: { teamId, seq: { gt: checker.seq, lte: page.at(-1)!.seq } }, orderBy: { seq: "asc" } }) : [];
    let next = 0;
    for (const event of page) {
      if (!checker.event(event)) return result();
      while (next < checkpoints.length && checkpoints[next]!.seq <= event.seq) {
        if (!checker.checkpoint(checkpoints[next]!)) return result();
        next += 1;
      }
    }
    if (page.length < pageSize) break;
  }
  if (key) {
    const beyond = await prisma.auditCheckpoint.findMany({ where: { teamId, seq: { gt: checker.seq } }, orderBy: { seq: "asc" } });
    for (const checkpoint of beyond) if (!checker.checkpoint(checkpoint)) return result();
  }
  const head = await prisma.auditChainHead.findUnique({ where: { teamId } });
  if (head && head.seq !== checker.seq) {
    checker.broken = { brokenAtSeq: checker.seq + 1, reason: `the chain ends at ${checker.seq} but ${head.seq} events were written: later events were deleted` };
  } else if (head && head.seq > 0 && head.hash !== checker.hash) {
    checker.broken = { brokenAtSeq: checker.seq, reason: `the chain head does not match event ${checker.seq}: the head was rewritten` };
  }
  return result();
}
