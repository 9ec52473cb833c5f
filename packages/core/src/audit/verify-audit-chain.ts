import type { PrismaClient } from "@bailey/db";
import { chainHash, genesisHash } from "./hash";

export type ChainVerification = { valid: true; events: number; headHash: string } | { valid: false; events: number; brokenAtSeq: number; reason: string };

const pageSize = 1_000;

/** Recomputes a team's chain from the start and names the first event that does not fit. */
export async function verifyAuditChain({ prisma, teamId }: { prisma: PrismaClient; teamId: string }): Promise<ChainVerification> {
  let prevHash = genesisHash;
  let expectedSeq = 1;
  for (;;) {
    const page = await prisma.auditEvent.findMany({
      where: { teamId, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    for (const event of page) {
      const checked = expectedSeq;
      if (event.seq !== checked) {
        return { valid: false, events: checked - 1, brokenAtSeq: checked, reason: `event ${checked} is missing (next is ${event.seq})` };
      }
      if (event.prevHash !== prevHash) {
        return { valid: false, events: checked - 1, brokenAtSeq: checked, reason: `event ${checked} does not link to event ${checked - 1}` };
      }
      if (chainHash(prevHash, event) !== event.hash) {
        return { valid: false, events: checked - 1, brokenAtSeq: checked, reason: `event ${checked} was altered after it was written` };
      }
      prevHash = event.hash;
      expectedSeq += 1;
    }
    if (page.length < pageSize) break;
  }
  const head = await prisma.auditChainHead.findUnique({ where: { teamId } });
  if (head && head.seq !== expectedSeq - 1) {
    return { valid: false, events: expectedSeq - 1, brokenAtSeq: expectedSeq, reason: `the chain ends at ${expectedSeq - 1} but ${head.seq} events were written: later events were deleted` };
  }
  return { valid: true, events: expectedSeq - 1, headHash: prevHash };
}
