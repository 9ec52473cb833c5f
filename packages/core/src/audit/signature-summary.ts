import type { AuditChainChecker } from "./chain-checker";
import type { AuditPublicKey } from "./signing-key";

/** How much of the chain signed checkpoints vouch for; verify results carry it. */
export interface SignatureStatus {
  /** False: no signing key is configured, so only the hashes were checked. */
  configured: boolean;
  keyId: string | null;
  /** Checkpoints whose signature and hash both held. */
  checkpoints: number;
  lastSignedSeq: number | null;
  lastSignedAt: Date | null;
  /** Events after the last valid checkpoint: a database-level rewrite of these would go unnoticed. */
  unsignedEvents: number;
  /** Checkpoints by another key (e.g. before a key change); not checked. */
  otherKeyCheckpoints: number;
  summary: string;
}

const notConfigured =
  "No audit signing key is configured, so only the hash chain was checked; someone able to write to the database could rewrite it undetected. Set BAILEY_AUDIT_SIGNING_KEY_FILE (npm start makes one in its data directory).";

export function signatureStatus(checker: AuditChainChecker, key: AuditPublicKey | null, events: number): SignatureStatus {
  const lastSignedSeq = checker.lastSigned?.seq ?? null;
  const unsignedEvents = Math.max(0, events - (lastSignedSeq ?? 0));
  const base = {
    configured: Boolean(key),
    keyId: key?.keyId ?? null,
    checkpoints: checker.signedCheckpoints,
    lastSignedSeq,
    lastSignedAt: checker.lastSigned?.signedAt ?? null,
    unsignedEvents,
    otherKeyCheckpoints: checker.otherKeyCheckpoints,
  };
  if (!key) return { ...base, summary: notConfigured };
  const keyName = `key ${key.keyId.slice(0, 16)}`;
  const other = checker.otherKeyCheckpoints ? ` ${checker.otherKeyCheckpoints} checkpoint(s) by another key were not checked.` : "";
  if (events === 0) return { ...base, summary: `No events yet; checkpoints will be signed with ${keyName}.${other}` };
  if (lastSignedSeq === null) return { ...base, summary: `No valid signed checkpoint: none of the ${events} events is covered by a signature of ${keyName} yet.${other}` };
  const through = `Signed by ${keyName} through event #${lastSignedSeq} (${checker.lastSigned!.signedAt.toISOString()})`;
  if (unsignedEvents === 0) return { ...base, summary: `${through}: every event is covered.${other}` };
  return { ...base, summary: `${through}; the ${unsignedEvents} later event(s) are not signed yet (a checkpoint follows within about a minute, or on export).${other}` };
}
