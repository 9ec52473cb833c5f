import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";

/** The chain's start: every team's first event links to this. */
export const genesisHash = "0".repeat(64);

/** The fields of an audit event that its hash covers. */
export interface HashedAuditFields {
  teamId: string;
  seq: number;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  runId: string | null;
  hostId: string | null;
  data: unknown;
  createdAt: Date;
}

/** hash = sha256(prevHash ‖ canonical(event)) */
export function chainHash(prevHash: string, event: HashedAuditFields): string {
  return createHash("sha256")
    .update(prevHash)
    .update(
      canonicalJson({
        teamId: event.teamId,
        seq: event.seq,
        actorType: event.actorType,
        actorId: event.actorId,
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId,
        runId: event.runId,
        hostId: event.hostId,
        data: event.data,
        createdAt: event.createdAt,
      }),
    )
    .digest("hex");
}
