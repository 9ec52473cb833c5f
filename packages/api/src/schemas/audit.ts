import { z } from "zod";
import { cuid, int64, jsonValue, timestamp } from "./json-types";

export const auditEvent = z
  .object({
    id: int64,
    teamId: cuid,
    seq: z.number().int(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    runId: z.string().nullable(),
    hostId: z.string().nullable(),
    data: jsonValue,
    prevHash: z.string(),
    hash: z.string(),
    createdAt: timestamp,
  })
  .loose();

export const auditEventsOutput = z.object({ events: z.array(auditEvent), nextBeforeSeq: z.number().int().nullable() });

/** The recomputed chain: valid with its head, or the first broken sequence number and why. */
export const auditVerifyOutput = z.object({
  valid: z.boolean(),
  events: z.number().int(),
  headHash: z.string().optional(),
  brokenAtSeq: z.number().int().optional(),
  reason: z.string().optional(),
});
