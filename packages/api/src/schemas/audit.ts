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

/** How far signed checkpoints vouch for the chain; events after lastSignedSeq could be rewritten unnoticed. */
export const auditSignatureStatus = z.object({
  configured: z.boolean(),
  keyId: z.string().nullable(),
  checkpoints: z.number().int(),
  lastSignedSeq: z.number().int().nullable(),
  lastSignedAt: timestamp.nullable(),
  unsignedEvents: z.number().int(),
  otherKeyCheckpoints: z.number().int(),
  summary: z.string(),
});

/**
 * The recomputed chain checked against its signed checkpoints: valid with its head, or the
 * first sequence number that cannot be trusted and why.
 */
export const auditVerifyOutput = z.object({
  valid: z.boolean(),
  events: z.number().int(),
  headHash: z.string().optional(),
  brokenAtSeq: z.number().int().optional(),
  reason: z.string().optional(),
  signatures: auditSignatureStatus,
});

/** The public half of the checkpoint key, for an operator to keep elsewhere and verify exports with. */
export const auditPublicKeyOutput = z.object({
  configured: z.boolean(),
  algorithm: z.literal("ed25519"),
  keyId: z.string().nullable(),
  publicKeyPem: z.string().nullable(),
});
