import { z } from "zod";
import { createTeamGrant, deleteTeamGrant, listTeamGrants, updateTeamGrant } from "@bailey/core";
import { createTeamGrantInput, teamGrantOutput, teamGrantsOutput, updateTeamGrantInput } from "../../schemas/grants";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const tags = ["grants"];

// Grants hold no value (they name a secret), so every member sees them; admins change them. The
// scopes are the secrets' ones: a grant decides where a secret's value is sent.
export const grantsRouter = router({
  list: teamProcedure
    .meta({ scope: "secrets:read", openapi: { method: "GET", path: "/grants", tags, summary: "The team's grants: which secret goes to which hosts, and how" } })
    .output(teamGrantsOutput)
    .query(async ({ ctx }) => ({ grants: await listTeamGrants({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  create: adminProcedure
    .meta({
      scope: "secrets:write",
      openapi: { method: "POST", path: "/grants", tags, summary: "Create a grant: a team secret the egress proxy injects into requests to some hosts (admins; a name in use is a 409)" },
      restCreated: "always",
    })
    .input(createTeamGrantInput)
    .output(teamGrantOutput)
    .mutation(async ({ ctx, input }) => ({ grant: await createTeamGrant({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input }) })),
  update: adminProcedure
    .meta({ scope: "secrets:write", openapi: { method: "PATCH", path: "/grants/{id}", tags, summary: "Change a grant's secret, hosts, injection or description (admins)" } })
    .input(updateTeamGrantInput)
    .output(teamGrantOutput)
    .mutation(async ({ ctx, input: { id, ...change } }) => ({ grant: await updateTeamGrant({ prisma: ctx.prisma, ctx: ctx.teamContext, grantId: id, ...change }) })),
  delete: adminProcedure
    .meta({ scope: "secrets:write", openapi: { method: "DELETE", path: "/grants/{id}", tags, summary: "Delete a grant (runs naming it are refused from then on; queued ones fail at dispatch)" } })
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .output(teamGrantOutput)
    .mutation(async ({ ctx, input }) => ({ grant: await deleteTeamGrant({ prisma: ctx.prisma, ctx: ctx.teamContext, grantId: input.id }) })),
});
