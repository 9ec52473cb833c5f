import { z } from "zod";
import { createTeamSecret, deleteTeamSecret, listTeamSecrets, updateTeamSecret } from "@bailey/core";
import { createTeamSecretInput, teamSecretOutput, teamSecretsOutput, updateTeamSecretInput } from "../../schemas/secrets";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const tags = ["secrets"];

// Every member may see the secrets' names (to reference them in runs); only admins change them, and nobody reads a value back.
export const secretsRouter = router({
  list: teamProcedure
    .meta({ scope: "secrets:read", openapi: { method: "GET", path: "/secrets", tags, summary: "The team's secrets: names and descriptions, never values" } })
    .output(teamSecretsOutput)
    .query(async ({ ctx }) => ({ secrets: await listTeamSecrets({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  create: adminProcedure
    .meta({
      scope: "secrets:write",
      openapi: { method: "POST", path: "/secrets", tags, summary: "Store a new team secret (admins; a name in use is a 409; the value is never returned)" },
      restCreated: "always",
    })
    .input(createTeamSecretInput)
    .output(teamSecretOutput)
    .mutation(async ({ ctx, input }) => ({ secret: await createTeamSecret({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input }) })),
  update: adminProcedure
    .meta({ scope: "secrets:write", openapi: { method: "PATCH", path: "/secrets/{id}", tags, summary: "Replace a secret's value and/or description (admins)" } })
    .input(updateTeamSecretInput)
    .output(teamSecretOutput)
    .mutation(async ({ ctx, input: { id, ...change } }) => ({ secret: await updateTeamSecret({ prisma: ctx.prisma, ctx: ctx.teamContext, secretId: id, ...change }) })),
  delete: adminProcedure
    .meta({ scope: "secrets:write", openapi: { method: "DELETE", path: "/secrets/{id}", tags, summary: "Delete a secret (runs naming it are refused from then on)" } })
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .output(teamSecretOutput)
    .mutation(async ({ ctx, input }) => ({ secret: await deleteTeamSecret({ prisma: ctx.prisma, ctx: ctx.teamContext, secretId: input.id }) })),
});
