import { type SignedCheckpoint, checkpointSignatureValid } from "./checkpoint-signature";
import { chainHash, genesisHash, type HashedAuditFields } from "./hash";
import type { AuditPublicKey } from "./signing-key";

export interface CheckedAuditEvent extends HashedAuditFields {
  prevHash: string;
  hash: string;
}

export interface ChainBreak {
  brokenAtSeq: number;
  reason: string;
}

/** Where the chain starts being checked: the genesis, or a signed checkpoint already trusted. */
export interface ChainStart {
  seq: number;
  hash: string;
}

/**
 * Walks one team's chain in sequence order, events and the checkpoints signed at them (each
 * checkpoint right after the event of its seq), and stops at the first thing that does not
 * fit. The database verifier, the signer and the offline export verifier all use it, so
 * all three judge a chain the same way.
 *
 * The hashes alone prove nothing against someone who can rewrite the rows and recompute
 * every later hash; a checkpoint signed by a key kept outside the database does: its hash
 * must still be the chain's hash at its seq.
 */
export class AuditChainChecker {
  /** The last event checked, and its hash. */
  seq: number;
  hash: string;
  broken: ChainBreak | null = null;
  /** The last checkpoint whose signature and hash both held. */
  lastSigned: { seq: number; signedAt: Date } | null = null;
  signedCheckpoints = 0;
  /** Checkpoints by a key other than the configured one: neither trusted nor counted as tampering. */
  otherKeyCheckpoints = 0;

  constructor(
    private readonly teamId: string,
    private readonly key: AuditPublicKey | null,
    start: ChainStart = { seq: 0, hash: genesisHash },
  ) {
    this.seq = start.seq;
    this.hash = start.hash;
  }

  /** The first event a rewrite could have touched without any valid signature noticing. */
  private get firstUnsignedSeq(): number {
    return (this.lastSigned?.seq ?? 0) + 1;
  }

  private fail(brokenAtSeq: number, reason: string): false {
    this.broken = { brokenAtSeq, reason };
    return false;
  }

  event(event: CheckedAuditEvent): boolean {
    if (this.broken) return false;
    const expected = this.seq + 1;
    if (event.teamId !== this.teamId) return this.fail(expected, `event ${event.seq} belongs to another team`);
    if (event.seq !== expected) return this.fail(expected, `event ${expected} is missing (next is ${event.seq})`);
    if (event.prevHash !== this.hash) return this.fail(expected, `event ${expected} does not link to event ${expected - 1}`);
    if (chainHash(this.hash, event) !== event.hash) return this.fail(expected, `event ${expected} was altered after it was written`);
    this.seq = event.seq;
    this.hash = event.hash;
    return true;
  }

  checkpoint(checkpoint: SignedCheckpoint): boolean {
    if (this.broken) return false;
    if (!this.key) return true;
    if (checkpoint.keyId !== this.key.keyId) {
      this.otherKeyCheckpoints += 1;
      return true;
    }
    const after = this.lastSigned ? `after the last valid checkpoint (event ${this.lastSigned.seq})` : "from the first event on";
    if (checkpoint.teamId !== this.teamId || !checkpointSignatureValid(this.key, checkpoint)) {
      return this.fail(
        this.firstUnsignedSeq,
        `the checkpoint at event ${checkpoint.seq} does not carry a valid signature of the audit key: it was forged or altered, so no event ${after} can be trusted`,
      );
    }
    if (checkpoint.seq > this.seq) {
      return this.fail(
        this.firstUnsignedSeq,
        `a checkpoint was signed at event ${checkpoint.seq} but the chain ends at event ${this.seq}: events were deleted and the chain head rewritten; events ${after} cannot be trusted`,
      );
    }
    if (checkpoint.seq < this.seq) return this.fail(this.firstUnsignedSeq, `the checkpoint at event ${checkpoint.seq} is out of order (the chain was already at event ${this.seq})`);
    if (checkpoint.hash !== this.hash) {
      return this.fail(
        this.firstUnsignedSeq,
        `the checkpoint signed at event ${checkpoint.seq} (${checkpoint.signedAt.toISOString()}) no longer matches the chain: an event ${after} was altered and every later hash recomputed`,
      );
    }
    this.lastSigned = { seq: checkpoint.seq, signedAt: checkpoint.signedAt };
    this.signedCheckpoints += 1;
    return true;
  }
}
