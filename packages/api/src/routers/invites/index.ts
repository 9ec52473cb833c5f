import { z } from "zod";
import { acceptInvite, previewInvite } from "@bailey/core";
import { publicProcedure, router, sessionProcedure } from "../../trpc";

const token = z.string().min(1).max(100);

// Used before the caller belongs to the team: the invite token in the input is the credential.
export const invitesRouter = router({
  preview: publicProcedure
    .meta({ scope: "public" })
    .input(z.object({ token }).strict())
    .query(({ ctx, input }) => previewInvite({ prisma: ctx.prisma, token: input.token })),
  accept: sessionProcedure
    .meta({ scope: "session" })
    .input(z.object({ token }).strict())
    .mutation(({ ctx, input }) => acceptInvite({ prisma: ctx.prisma, token: input.token, userId: ctx.user.id })),
  register: publicProcedure
    .meta({ scope: "public" })
    .input(z.object({ token, email: z.string().max(254), name: z.string().max(100).optional(), password: z.string().max(200) }).strict())
    .mutation(({ ctx, input }) => acceptInvite({ prisma: ctx.prisma, token: input.token, newAccount: { email: input.email, password: input.password, ...(input.name ? { name: input.name } : {}) } })),
});
