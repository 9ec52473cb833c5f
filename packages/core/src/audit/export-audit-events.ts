import type { PrismaClient } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";
import type { SignedCheckpoint } from "./checkpoint-signature";
import { genesisHash } from "./hash";
import { signAuditCheckpoint } from "./sign-audit-checkpoints";
import type { AuditSigningKey } from "./signing-key";

/** A checkpoint line of an export; it follows the event line of its seq. */
export type ExportedCheckpoint = { kind: "checkpoint" } & Omit<SignedCheckpoint, "signedAt"> & { signedAt: string };

/**
 * The export's last line: the chain head at export time, signed then (signature null when no
 * key is configured or the chain failed the signer's check, with the reason), with the public
 * key for reference. A verifier must bring its own copy of the key, not trust this one.
 */
export type ExportedHead = {
  kind: "head";
  teamId: string;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string | null;
  signature: string | null;
  publicKey: string | null;
  unsignedReason?: string;
};

const line = (value: unknown) => `${JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? inner.toString() : inner))}\n`;

const checkpointLine = (checkpoint: SignedCheckpoint): ExportedCheckpoint => ({
  kind: "checkpoint",
  teamId: checkpoint.teamId,
  seq: checkpoint.seq,
  hash: checkpoint.hash,
  keyId: checkpoint.keyId,
  signature: checkpoint.signature,
  signedAt: checkpoint.signedAt.toISOString(),
});

/**
 * The team's audit events as JSON lines, oldest first, a page at a time so a long chain
 * never sits in memory. Each event line is the stored row (seq, prevHash, hash); each
 * checkpoint follows its event; the head line ends the file. With a key, the head is
 * signed (and stored as a checkpoint) first, so the file verifies offline with only the
 * public key (`npm run audit:verify`). Events appended during the export are left for the next.
 */
export async function* exportAuditEvents({
  prisma,
  ctx,
  key = null,
  pageSize = 500,
}: {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  key?: AuditSigningKey | null;
  pageSize?: number;
}): AsyncGenerator<string> {
  const teamId = ctx.teamId;
  let head: ExportedHead;
  if (key) {
    const outcome = await signAuditCheckpoint({ prisma, teamId, key });
    if ("signed" in outcome) head = { ...checkpointLine(outcome.signed), kind: "head", publicKey: key.publicKeyPem };
    else {
      const current = (await prisma.auditChainHead.findUnique({ where: { teamId } })) ?? { seq: 0, hash: genesisHash };
      const unsignedReason = `the chain failed its check at event ${outcome.refused.brokenAtSeq}: ${outcome.refused.reason}`;
      head = { kind: "head", teamId, seq: current.seq, hash: current.hash, signedAt: new Date().toISOString(), keyId: key.keyId, signature: null, publicKey: key.publicKeyPem, unsignedReason };
    }
  } else {
    const current = (await prisma.auditChainHead.findUnique({ where: { teamId } })) ?? { seq: 0, hash: genesisHash };
    head = {
      kind: "head",
      teamId,
      seq: current.seq,
      hash: current.hash,
      signedAt: new Date().toISOString(),
      keyId: null,
      signature: null,
      publicKey: null,
      unsignedReason: "no audit signing key is configured",
    };
  }

  let afterSeq = 0;
  while (afterSeq < head.seq) {
    const page = await prisma.auditEvent.findMany({ where: teamScope(ctx, { seq: { gt: afterSeq, lte: head.seq } }), orderBy: { seq: "asc" }, take: pageSize });
    if (page.length === 0) break;
    const lastSeq = page.at(-1)!.seq;
    const checkpoints = await prisma.auditCheckpoint.findMany({ where: teamScope(ctx, { seq: { gt: afterSeq, lte: lastSeq } }), orderBy: { seq: "asc" } });
    let next = 0;
    let chunk = "";
    for (const event of page) {
      chunk += line(event);
      while (next < checkpoints.length && checkpoints[next]!.seq <= event.seq) chunk += line(checkpointLine(checkpoints[next++]!));
    }
    yield chunk;
    afterSeq = lastSeq;
  }
  yield line(head);
}
