import { z } from "zod";
import { createWarmPool, deleteWarmPool, listWarmPools, updateWarmPool } from "@bailey/core";
import { createWarmPoolInput, listWarmPoolsInput, updateWarmPoolInput, warmPoolOutput, warmPoolsOutput } from "../../schemas/pools";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const tags = ["pools"];

// Warm pools are per host: the hosts' scopes. Every member sees them (the Hosts page shows
// them); admins change them, and the scheduler pushes a change to the host on its next tick.
export const poolsRouter = router({
  list: teamProcedure
    .meta({
      scope: "hosts:read",
      openapi: { method: "GET", path: "/pools", tags, summary: "The team's warm pools (or one host's, ?hostId=) with each host's last report: idle, starting, last error" },
    })
    .input(listWarmPoolsInput)
    .output(warmPoolsOutput)
    .query(async ({ ctx, input }) => ({ pools: await listWarmPools({ prisma: ctx.prisma, ctx: ctx.teamContext, ...(input?.hostId ? { hostId: input.hostId } : {}) }) })),
  create: adminProcedure
    .meta({
      scope: "hosts:write",
      openapi: { method: "POST", path: "/pools", tags, summary: "Keep N containers of an image started ahead on a host, for runs of that image, sandbox and resources to start warm (admins)" },
      restCreated: "always",
    })
    .input(createWarmPoolInput)
    .output(warmPoolOutput)
    .mutation(async ({ ctx, input }) => ({ pool: await createWarmPool({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input }) })),
  update: adminProcedure
    .meta({ scope: "hosts:write", openapi: { method: "PATCH", path: "/pools/{id}", tags, summary: "Change a pool's size, image, sandbox, resources or idle command (admins)" } })
    .input(updateWarmPoolInput)
    .output(warmPoolOutput)
    .mutation(async ({ ctx, input: { id, ...change } }) => ({ pool: await updateWarmPool({ prisma: ctx.prisma, ctx: ctx.teamContext, poolId: id, ...change }) })),
  delete: adminProcedure
    .meta({
      scope: "hosts:write",
      openapi: { method: "DELETE", path: "/pools/{id}", tags, summary: "Remove a pool: its idle containers are removed on the host's next tick (runs given one keep it)" },
    })
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .output(warmPoolOutput)
    .mutation(async ({ ctx, input }) => ({ pool: await deleteWarmPool({ prisma: ctx.prisma, ctx: ctx.teamContext, poolId: input.id }) })),
});
