import { z } from "zod";
import { listAuditEvents, verifyAuditChain } from "@bailey/core";
import { auditEventsOutput, auditPublicKeyOutput, auditVerifyOutput } from "../../schemas/audit";
import { router, teamProcedure } from "../../trpc";

// Postgres timestamps span 4713 BC to 294276 AD; JavaScript dates go further.
const auditDate = z
  .date()
  .refine((date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999, "Pick a date between the years 1 and 9999.")
  .meta({ override: { type: "string", format: "date-time" } });
const seq = z.number().int().positive().max(2_147_483_647);
const tags = ["audit"];

export const auditRouter = router({
  list: teamProcedure
    .meta({ scope: "audit:read", openapi: { method: "GET", path: "/audit", tags, summary: "Audit events, newest first" } })
    .input(
      z
        .object({
          /** The acting user's or token's id. */
          actor: z.string().max(64).optional(),
          action: z.string().max(100).optional(),
          /** A run id. */
          run: z.string().max(64).optional(),
          since: auditDate.optional(),
          until: auditDate.optional(),
          /** The previous page's nextBeforeSeq. */
          beforeSeq: seq.optional(),
          // What an infinite query sends as its page parameter (the previous page's nextBeforeSeq).
          cursor: seq.nullish(),
          direction: z.enum(["forward", "backward"]).optional(),
          limit: z.number().int().min(1).max(1000).default(100),
        })
        .strict()
        .default({ limit: 100 }),
    )
    .output(auditEventsOutput)
    .query(({ ctx, input: { cursor, direction: _direction, actor, run, beforeSeq, ...input } }) =>
      listAuditEvents({
        prisma: ctx.prisma,
        ctx: ctx.teamContext,
        ...input,
        ...(actor ? { actorId: actor } : {}),
        ...(run ? { runId: run } : {}),
        ...((cursor ?? beforeSeq) ? { beforeSeq: (cursor ?? beforeSeq) as number } : {}),
      }),
    ),
  verify: teamProcedure
    .meta({
      scope: "audit:read",
      openapi: { method: "GET", path: "/audit/verify", tags, summary: "Recompute the team's hash chain and check its signed checkpoints; names the first sequence number that cannot be trusted" },
    })
    .output(auditVerifyOutput)
    .query(({ ctx }) => verifyAuditChain({ prisma: ctx.prisma, teamId: ctx.teamContext.teamId, key: ctx.auditSigningKey?.() ?? null })),
  publicKey: teamProcedure
    .meta({
      scope: "audit:read",
      openapi: { method: "GET", path: "/audit/public-key", tags, summary: "The ed25519 public key audit checkpoints are signed with, to keep elsewhere and verify exports offline" },
    })
    .output(auditPublicKeyOutput)
    .query(({ ctx }) => {
      const key = ctx.auditSigningKey?.() ?? null;
      return { configured: Boolean(key), algorithm: "ed25519" as const, keyId: key?.keyId ?? null, publicKeyPem: key?.publicKeyPem ?? null };
    }),
});
