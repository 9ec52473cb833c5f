import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  addHost,
  addHostInput,
  completeHostEnrollment,
  createHostEnrollment,
  drainHost,
  enrollmentReport,
  enrollmentRequest,
  getHost,
  hostActivity,
  carryOutImagePulls,
  imagePullRequest,
  listHostEnrollments,
  listHosts,
  listImagePulls,
  requestImagePull,
  removeHost,
  resumeHost,
} from "@bailey/core";
import { changedHostOutput, createdEnrollmentOutput, enrolledHostOutput, enrollmentsOutput, hostActivityOutput, hostOutput, hostsOutput } from "../../schemas/hosts";
import { imagePullsOutput } from "../../schemas/images";
import { adminProcedure, publicProcedure, requireConnections, router, teamProcedure } from "../../trpc";

const hostId = z.object({ id: z.string().min(1).max(64) }).strict();
const tags = ["hosts"];
const imagePullsInput = z
  .object({ hostId: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(500).default(100) })
  .strict()
  .default({ limit: 100 });

export const hostsRouter = router({
  list: teamProcedure
    .meta({ scope: "hosts:read", openapi: { method: "GET", path: "/hosts", tags, summary: "The team's hosts with their active run counts" } })
    .output(hostsOutput)
    .query(async ({ ctx }) => ({ hosts: await listHosts({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  get: teamProcedure
    .meta({ scope: "hosts:read", openapi: { method: "GET", path: "/hosts/{id}", tags, summary: "One host" } })
    .input(hostId)
    .output(hostOutput)
    .query(async ({ ctx, input }) => ({ host: await getHost({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id }) })),
  /** Active runs over the last hour, sampled once a minute by the scheduler. */
  activity: teamProcedure
    .meta({ scope: "hosts:read" })
    .input(hostId)
    .output(hostActivityOutput)
    .query(({ ctx, input }) => hostActivity({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id })),
  enrollments: teamProcedure
    .meta({ scope: "hosts:read", openapi: { method: "GET", path: "/hosts/enrollments", tags, summary: "Recent enrollments" } })
    .output(enrollmentsOutput)
    .query(async ({ ctx }) => ({ enrollments: await listHostEnrollments({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  add: adminProcedure
    .meta({ scope: "hosts:write", openapi: { method: "POST", path: "/hosts", tags, summary: "Add a host by hand; answers once its agent was greeted" }, restCreated: "always" })
    .input(addHostInput)
    .output(changedHostOutput)
    .mutation(async ({ ctx, input }) => ({ host: await addHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), input }) })),
  createEnrollment: adminProcedure
    .meta({
      scope: "hosts:write",
      openapi: { method: "POST", path: "/hosts/enrollments", tags, summary: "A one-time install command for a new host; the token is shown only here" },
      restCreated: "always",
    })
    .input(enrollmentRequest)
    .output(createdEnrollmentOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.installCommand) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "This server cannot build install commands." });
      const { enrollment, token } = await createHostEnrollment({ prisma: ctx.prisma, ctx: ctx.teamContext, input });
      return { enrollment, token, installCommand: ctx.installCommand({ token, hostName: enrollment.name }) };
    }),
  /** install.sh reports the host back; the one-time enrollment token in the body is the credential. */
  enroll: publicProcedure
    .meta({
      scope: "public",
      openapi: { method: "POST", path: "/hosts/enroll", tags, summary: "install.sh reports a host back (the enrollment token is the credential)", protect: false },
      restCreated: "always",
    })
    .input(enrollmentReport)
    .output(enrolledHostOutput)
    .mutation(async ({ ctx, input }) => ({ host: await completeHostEnrollment({ prisma: ctx.prisma, connections: requireConnections(ctx), input }) })),
  drain: adminProcedure
    .meta({ scope: "hosts:write", openapi: { method: "POST", path: "/hosts/{id}/drain", tags, summary: "Place no new runs on the host (running ones finish)" } })
    .input(hostId)
    .output(changedHostOutput)
    .mutation(async ({ ctx, input }) => ({ host: await drainHost({ prisma: ctx.prisma, ctx: ctx.teamContext, hostId: input.id }) })),
  resume: adminProcedure
    .meta({ scope: "hosts:write", openapi: { method: "POST", path: "/hosts/{id}/resume", tags, summary: "End a drain" } })
    .input(hostId)
    .output(changedHostOutput)
    .mutation(async ({ ctx, input }) => ({ host: await resumeHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), hostId: input.id }) })),
  remove: adminProcedure
    .meta({ scope: "hosts:write", openapi: { method: "DELETE", path: "/hosts/{id}", tags, summary: "Remove a host with no active runs (drain it first)" } })
    .input(hostId)
    .output(changedHostOutput)
    .mutation(async ({ ctx, input }) => ({ host: await removeHost({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), hostId: input.id }) })),
  pullImage: adminProcedure
    .meta({
      scope: "hosts:write",
      openapi: { method: "POST", path: "/hosts/image-pulls", tags, summary: "Ask one host (hostId) or every host with some labels (labels) to pull an image ahead of runs" },
      restCreated: "always",
    })
    .input(imagePullRequest)
    .output(imagePullsOutput)
    .mutation(async ({ ctx, input }) => {
      const pulls = await requestImagePull({ prisma: ctx.prisma, ctx: ctx.teamContext, input });
      // Started now rather than at the next tick; the tick carries out (or takes over) whatever this misses.
      if (ctx.connections) void carryOutImagePulls({ prisma: ctx.prisma, connections: ctx.connections }).catch((error: unknown) => console.error("[api] image pulls", error));
      return { pulls };
    }),
  imagePulls: teamProcedure
    .meta({ scope: "hosts:read", openapi: { method: "GET", path: "/hosts/image-pulls", tags, summary: "Recent pre-pulls, newest first (one host's with hostId)" } })
    .input(imagePullsInput)
    .output(imagePullsOutput)
    .query(async ({ ctx, input }) => ({ pulls: await listImagePulls({ prisma: ctx.prisma, ctx: ctx.teamContext, limit: input.limit, ...(input.hostId ? { hostId: input.hostId } : {}) }) })),
});
