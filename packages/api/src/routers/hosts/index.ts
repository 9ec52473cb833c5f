import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { addHost, createHostEnrollment, drainHost, getHost, hostActivity, listHostEnrollments, listHosts, removeHost, resumeHost } from "@bailey/core";
import { adminProcedure, requireConnections, router, teamProcedure } from "../../trpc";

const hostId = z.object({ id: z.string().min(1).max(64) }).strict();

export const hostsRouter = router({
  list: teamProcedure.meta({ scope: "hosts:read" }).query(({ ctx }) => listHosts({ prisma: ctx.prisma, ctx: ctx.teamContext })),
  get: teamProcedure.meta({ scope: "hosts:read" }).input(hostId).query(({ ctx, input }) => getHost({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id })),
  /** Active runs over the last hour, sampled once a minute by the scheduler. */
  activity: teamProcedure.meta({ scope: "hosts:read" }).input(hostId).query(({ ctx, input }) => hostActivity({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id })),
  enrollments: teamProcedure.meta({ scope: "hosts:read" }).query(({ ctx }) => listHostEnrollments({ prisma: ctx.prisma, ctx: ctx.teamContext })),
  /** Fields are checked in core, so the form and REST get the same per-field errors. */
  add: adminProcedure.meta({ scope: "hosts:write" }).input(z.unknown()).mutation(({ ctx, input }) => addHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), input })),
  createEnrollment: adminProcedure
    .meta({ scope: "hosts:write" })
    .input(z.unknown())
    .mutation(async ({ ctx, input }) => {
      if (!ctx.installCommand) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "This server cannot build install commands." });
      const { enrollment, token } = await createHostEnrollment({ prisma: ctx.prisma, ctx: ctx.teamContext, input });
      return { enrollment, token, installCommand: ctx.installCommand({ token, hostName: enrollment.name }) };
    }),
  drain: adminProcedure.meta({ scope: "hosts:write" }).input(hostId).mutation(({ ctx, input }) => drainHost({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id })),
  resume: adminProcedure.meta({ scope: "hosts:write" }).input(hostId).mutation(({ ctx, input }) => resumeHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), hostId: input.id })),
  remove: adminProcedure.meta({ scope: "hosts:write" }).input(hostId).mutation(({ ctx, input }) => removeHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), hostId: input.id })),
});
