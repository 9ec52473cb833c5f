import { z } from "zod";
import { destroyRun, getRun, listRunEgress, readRunLogs, redactRunEnv, seesCredentialEnv, stopRun } from "@bailey/core";
import { artifacts, results } from "./results";
import { destroyRunOutput, runEgressOutput, runLogsOutput, runOutput } from "../../schemas/runs";
import { requireConnections, router, teamProcedure, writerProcedure } from "../../trpc";
import { create, createFromYaml } from "./create";
import { list } from "./list";

const runId = z.object({ id: z.string().min(1).max(64) }).strict();

export const runsRouter = router({
  list,
  get: teamProcedure
    .meta({ scope: "runs:read", openapi: { method: "GET", path: "/runs/{id}", tags: ["runs"], summary: "A run with its timeline, host, sidecars and network" } })
    .input(runId)
    .output(runOutput)
    .query(async ({ ctx, input }) => {
      const run = await getRun({ prisma: ctx.prisma, ctx: ctx.teamContext, runId: input.id });
      if (seesCredentialEnv(ctx.teamContext.role, ctx.token?.scopes)) return { run: { ...run, redactedEnv: [] } };
      // Viewers (and read-only tokens) see which variables a run had, not what a credential-looking one held.
      const { spec, redacted } = redactRunEnv(run.spec);
      return { run: { ...run, spec: spec as typeof run.spec, redactedEnv: redacted } };
    }),
  egress: teamProcedure
    .meta({ scope: "runs:read", openapi: { method: "GET", path: "/runs/{id}/egress", tags: ["runs"], summary: "Where the run's egress proxy let it connect and where it refused, per host and port" } })
    .input(runId)
    .output(runEgressOutput)
    .query(({ ctx, input }) => listRunEgress({ prisma: ctx.prisma, ctx: ctx.teamContext, runId: input.id })),
  results,
  artifacts,
  create,
  createFromYaml,
  stop: writerProcedure
    .meta({ scope: "runs:write", openapi: { method: "POST", path: "/runs/{id}/stop", tags: ["runs"], summary: "Stop a run: SIGTERM, then SIGKILL after graceSeconds" } })
    .input(runId.extend({ graceSeconds: z.number().int().min(0).max(3600).default(10) }))
    .output(runOutput)
    .mutation(async ({ ctx, input }) => ({
      // Only writers stop runs, and writers see the whole spec.
      run: { ...(await stopRun({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), runId: input.id, graceSeconds: input.graceSeconds })), redactedEnv: [] },
    })),
  destroy: writerProcedure
    .meta({ scope: "runs:write", openapi: { method: "DELETE", path: "/runs/{id}", tags: ["runs"], summary: "Destroy a run and everything it left on its host" } })
    .input(runId)
    .output(destroyRunOutput)
    .mutation(({ ctx, input }) => destroyRun({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), runId: input.id, ...(ctx.blobs ? { blobs: ctx.blobs } : {}) })),
  /** The dashboard's tail of a run's output; REST streams the whole of it (GET /runs/{id}/logs). */
  logs: teamProcedure
    .meta({ scope: "runs:read" })
    .input(
      runId.extend({
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(8 * 1024 * 1024)
          .optional(),
      }),
    )
    .output(runLogsOutput)
    .query(({ ctx, input }) =>
      readRunLogs({
        prisma: ctx.prisma,
        ctx: ctx.teamContext,
        connections: requireConnections(ctx),
        runId: input.id,
        ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}),
        ...(ctx.blobs ? { blobs: ctx.blobs } : {}),
      }),
    ),
});
