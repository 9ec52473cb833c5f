import { sign, verify } from "node:crypto";
import { canonicalJson } from "./canonical-json";
import type { AuditPublicKey, AuditSigningKey } from "./signing-key";

/** What a checkpoint vouches for: the team's chain reached `hash` at `seq`, as of `signedAt`. */
export interface CheckpointFields {
  teamId: string;
  seq: number;
  hash: string;
  signedAt: Date;
}

export interface SignedCheckpoint extends CheckpointFields {
  keyId: string;
  /** base64 ed25519 signature over canonicalJson({teamId, seq, hash, signedAt}). */
  signature: string;
}

const payload = ({ teamId, seq, hash, signedAt }: CheckpointFields) => Buffer.from(canonicalJson({ teamId, seq, hash, signedAt }));

export function signCheckpoint(key: AuditSigningKey, fields: CheckpointFields): SignedCheckpoint {
  const signedAt = new Date(Math.floor(fields.signedAt.getTime()));
  const checkpoint = { teamId: fields.teamId, seq: fields.seq, hash: fields.hash, signedAt };
  return { ...checkpoint, keyId: key.keyId, signature: sign(null, payload(checkpoint), key.privateKey).toString("base64") };
}

/** True only for a signature by this very key over exactly these fields. */
export function checkpointSignatureValid(key: AuditPublicKey, checkpoint: SignedCheckpoint): boolean {
  if (checkpoint.keyId !== key.keyId) return false;
  try {
    return verify(null, payload(checkpoint), key.publicKey, Buffer.from(checkpoint.signature, "base64"));
  } catch {
    return false;
  }
}
