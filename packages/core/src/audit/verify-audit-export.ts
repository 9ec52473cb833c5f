import { AuditChainChecker, type CheckedAuditEvent } from "./chain-checker";
import { checkpointSignatureValid } from "./checkpoint-signature";
import type { ExportedCheckpoint, ExportedHead } from "./export-audit-events";
import type { ChainVerification } from "./verify-audit-chain";
import { type SignatureStatus, signatureStatus } from "./signature-summary";
import type { AuditPublicKey } from "./signing-key";

export type ExportVerification = ChainVerification & { teamId: string | null };

/**
 * Verifies an audit export with nothing but the public key: the hash chain, every
 * checkpoint, and the signed head that ends the file (so a file cut short, or events
 * dropped from its end, is noticed too). Reads line by line; any size is fine.
 */
export async function verifyAuditExport(lines: AsyncIterable<string> | Iterable<string>, key: AuditPublicKey): Promise<ExportVerification> {
  let checker: AuditChainChecker | null = null;
  let teamId: string | null = null;
  let head: ExportedHead | null = null;
  let lineNumber = 0;
  const status = (): SignatureStatus => (checker ? signatureStatus(checker, key, checker.seq) : signatureStatus(new AuditChainChecker("", key), key, 0));
  const fail = (brokenAtSeq: number, reason: string): ExportVerification => ({ valid: false, events: Math.max(0, brokenAtSeq - 1), brokenAtSeq, reason, signatures: status(), teamId });

  for await (const raw of lines) {
    lineNumber += 1;
    if (raw.trim() === "") continue;
    const nextSeq = (checker?.seq ?? 0) + 1;
    if (head) return fail(nextSeq, `line ${lineNumber} follows the signed head, which must end the file: lines were added after it`);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fail(nextSeq, `line ${lineNumber} is not JSON: the file is damaged or is not a Bailey audit export`);
    }
    if (typeof parsed.teamId !== "string") return fail(nextSeq, `line ${lineNumber} has no teamId: this is not a Bailey audit export`);
    teamId ??= parsed.teamId;
    checker ??= new AuditChainChecker(teamId, key);
    if (parsed.kind === "head") {
      head = parsed as unknown as ExportedHead;
      continue;
    }
    if (parsed.kind === "checkpoint") {
      const line = parsed as unknown as ExportedCheckpoint;
      if (!checker.checkpoint({ ...line, signedAt: new Date(line.signedAt) })) return fail(checker.broken!.brokenAtSeq, checker.broken!.reason);
      continue;
    }
    const event = parsed as unknown as CheckedAuditEvent & { createdAt: string };
    if (!checker.event({ ...event, createdAt: new Date(event.createdAt) })) return fail(checker.broken!.brokenAtSeq, checker.broken!.reason);
  }

  if (!checker) return fail(1, "the file is empty: it is not a Bailey audit export");
  const end = checker.seq;
  if (!head) return fail(end + 1, `the file has no signed head line: it was cut short after event ${end}, or made by a Bailey without signed exports`);
  if (head.keyId !== key.keyId) {
    return fail(
      (checker.lastSigned?.seq ?? 0) + 1,
      head.keyId
        ? `the export was signed by key ${head.keyId}, not by the public key given (${key.keyId}): use the public key of the Bailey that made it`
        : `the export carries no signature (${head.unsignedReason ?? "no signing key"})`,
    );
  }
  if (!head.signature) return fail((checker.lastSigned?.seq ?? 0) + 1, `the export's head is not signed: ${head.unsignedReason ?? "no reason given"}`);
  const signedHead = { teamId: head.teamId, seq: head.seq, hash: head.hash, keyId: head.keyId, signature: head.signature, signedAt: new Date(head.signedAt) };
  if (head.teamId !== teamId || !checkpointSignatureValid(key, signedHead)) {
    return fail((checker.lastSigned?.seq ?? 0) + 1, "the export's head line does not carry a valid signature of this key: it was forged or altered");
  }
  if (head.seq !== end) return fail(Math.min(head.seq, end) + 1, `the signed head is at event ${head.seq} but the file's events end at ${end}: events were removed or added`);
  if (!checker.checkpoint(signedHead)) return fail(checker.broken!.brokenAtSeq, checker.broken!.reason);
  return { valid: true, events: end, headHash: checker.hash, signatures: status(), teamId };
}
