import { z } from "zod";
import { createRun, createRunFromYaml, destroyRun, getRun, readRunLogs, scheduleNow, stopRun } from "@bailey/core";
import { requireConnections, router, teamProcedure, writerProcedure } from "../../trpc";
import { list } from "./list";

const runId = z.object({ id: z.string().min(1).max(64) }).strict();

export const runsRouter = router({
  list,
  get: teamProcedure.meta({ scope: "runs:read" }).input(runId).query(({ ctx, input }) => getRun({ prisma: ctx.prisma, ctx: ctx.teamContext, runId: input.id })),
  /** A spec as an object (the form) or as YAML text (pasted, moat.yaml included). */
  create: writerProcedure
    .meta({ scope: "runs:write" })
    .input(
      z
        .object({ spec: z.unknown().optional(), yaml: z.string().max(1024 * 1024).optional(), idempotencyKey: z.string().max(200).optional() })
        .strict()
        .refine((input) => (input.spec === undefined) !== (input.yaml === undefined), "Send either spec or yaml, not both."),
    )
    .mutation(async ({ ctx, input }) => {
      const key = input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {};
      const result = input.yaml !== undefined
        ? await createRunFromYaml({ prisma: ctx.prisma, ctx: ctx.teamContext, yaml: input.yaml, ...key })
        : { ...(await createRun({ prisma: ctx.prisma, ctx: ctx.teamContext, spec: input.spec, ...key })), ignored: [] };
      // A free host starts it now; what this misses, the scheduler's next tick picks up.
      if (result.created && ctx.connections) void scheduleNow({ prisma: ctx.prisma, connections: ctx.connections, runId: result.run.id }).catch((error: unknown) => console.error("[trpc] schedule-now", error));
      return result;
    }),
  stop: writerProcedure.meta({ scope: "runs:write" }).input(runId).mutation(({ ctx, input }) => stopRun({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), runId: input.id })),
  destroy: writerProcedure.meta({ scope: "runs:write" }).input(runId).mutation(({ ctx, input }) => destroyRun({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), runId: input.id })),
  logs: teamProcedure
    .meta({ scope: "runs:read" })
    .input(runId.extend({ maxBytes: z.number().int().min(1024).max(8 * 1024 * 1024).optional() }))
    .query(({ ctx, input }) => readRunLogs({ prisma: ctx.prisma, ctx: ctx.teamContext, connections: requireConnections(ctx), runId: input.id, ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}) })),
});
