import { z } from "zod";
import { listAuditEvents, verifyAuditChain } from "@bailey/core";
import { router, teamProcedure } from "../../trpc";

// Postgres timestamps span 4713 BC to 294276 AD; JavaScript dates go further.
const auditDate = z.date().refine((date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999, "Pick a date between the years 1 and 9999.");

export const auditRouter = router({
  list: teamProcedure
    .meta({ scope: "audit:read" })
    .input(
      z
        .object({
          actorId: z.string().max(64).optional(),
          action: z.string().max(100).optional(),
          runId: z.string().max(64).optional(),
          since: auditDate.optional(),
          until: auditDate.optional(),
          beforeSeq: z.number().int().positive().max(2_147_483_647).optional(),
          // What an infinite query sends as its page parameter (the previous page's nextBeforeSeq).
          cursor: z.number().int().positive().max(2_147_483_647).nullish(),
          direction: z.enum(["forward", "backward"]).optional(),
          limit: z.number().int().min(1).max(1000).default(100),
        })
        .strict()
        .default({ limit: 100 }),
    )
    .query(({ ctx, input: { cursor, direction: _direction, ...input } }) =>
      listAuditEvents({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input, ...(cursor ? { beforeSeq: cursor } : {}) }),
    ),
  verify: teamProcedure.meta({ scope: "audit:read" }).query(({ ctx }) => verifyAuditChain({ prisma: ctx.prisma, teamId: ctx.teamContext.teamId })),
});
