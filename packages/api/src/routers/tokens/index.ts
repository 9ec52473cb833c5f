import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken, tokenScopes } from "@bailey/core";
import { router, teamProcedure, writerProcedure } from "../../trpc";

// Tokens are managed by people only: a leaked token must not be able to mint more.
export const tokensRouter = router({
  list: teamProcedure.meta({ scope: "session" }).query(({ ctx }) => listApiTokens({ prisma: ctx.prisma, ctx: ctx.teamContext })),
  create: writerProcedure
    .meta({ scope: "session" })
    .input(
      z
        .object({
          name: z.string().trim().min(1, "Give the token a name").max(100),
          scopes: z.array(z.enum(tokenScopes)).min(1, "Pick at least one scope"),
          // Omitted: 90 days from now. "never" has to be asked for by name.
          expiresAt: z.union([z.date().refine((date) => date.getUTCFullYear() <= 9999, "Pick an expiry before the year 10000."), z.literal("never")]).optional(),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) =>
      createApiToken({ prisma: ctx.prisma, ctx: ctx.teamContext, name: input.name, scopes: input.scopes, ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}) }),
    ),
  revoke: writerProcedure
    .meta({ scope: "session" })
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .mutation(({ ctx, input }) => revokeApiToken({ prisma: ctx.prisma, ctx: ctx.teamContext, tokenId: input.id })),
});
