import { z } from "zod";
import { listRegistryCredentials, removeRegistryCredential, saveRegistryCredential } from "@bailey/core";
import { registryCredentialsOutput, removedRegistryCredentialOutput, savedRegistryCredentialOutput, saveRegistryCredentialInput } from "../../schemas/registries";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const tags = ["registries"];

// Every member may see which registries have credentials (never the secrets); only admins change them.
export const registriesRouter = router({
  list: teamProcedure
    .meta({ scope: "registries:read", openapi: { method: "GET", path: "/registry-credentials", tags, summary: "The team's registry credentials, without their secrets" } })
    .output(registryCredentialsOutput)
    .query(async ({ ctx }) => ({ credentials: await listRegistryCredentials({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  save: adminProcedure
    .meta({
      scope: "registries:write",
      openapi: { method: "POST", path: "/registry-credentials", tags, summary: "Save the team's credential for a registry, replacing the one it had (admins; the secret is never returned)" },
      restCreated: "unless-existing",
    })
    .input(saveRegistryCredentialInput)
    .output(savedRegistryCredentialOutput)
    .mutation(async ({ ctx, input }) => {
      const { credential, replaced } = await saveRegistryCredential({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input });
      return { credential, created: !replaced };
    }),
  remove: adminProcedure
    .meta({
      scope: "registries:write",
      openapi: { method: "DELETE", path: "/registry-credentials/{id}", tags, summary: "Remove a registry credential (pulls from that registry are anonymous again)" },
    })
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .output(removedRegistryCredentialOutput)
    .mutation(async ({ ctx, input }) => ({ credential: await removeRegistryCredential({ prisma: ctx.prisma, ctx: ctx.teamContext, credentialId: input.id }) })),
});
