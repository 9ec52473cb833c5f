import { z } from "zod";
import { createRun, createRunFromYaml, scheduleNow, submittedRunSpec } from "@bailey/core";
import type { Context } from "../../context";
import { createRunOutput } from "../../schemas/runs";
import { writerProcedure } from "../../trpc";

const idempotencyHeader = z.object({ "idempotency-key": z.string().max(200).optional().describe("A retry with the same key and body returns the first run; the same key with another body is 409.") });
export const yamlContentTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"] as const;

/** A free host starts it now; what this misses, the scheduler's next tick picks up. */
function scheduleSoon(ctx: Context, runId: string) {
  if (ctx.connections) void scheduleNow({ prisma: ctx.prisma, connections: ctx.connections, runId }).catch((error: unknown) => console.error("[api] schedule-now", error));
}

const key = (ctx: Context) => (ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {});

/** A run from a spec (the form, or JSON over REST). */
export const create = writerProcedure
  .meta({
    scope: "runs:write",
    openapi: {
      method: "POST",
      path: "/runs",
      tags: ["runs"],
      summary: "Create a run",
      description: "JSON, or YAML (Bailey's fields or a moat.yaml) with Content-Type: application/yaml.",
      requestHeaders: idempotencyHeader,
    },
    restCreated: "unless-existing",
  })
  .input(submittedRunSpec)
  .output(createRunOutput)
  .mutation(async ({ ctx, input }) => {
    const result = { ...(await createRun({ prisma: ctx.prisma, ctx: ctx.teamContext, spec: input, ...key(ctx) })), ignored: [] };
    if (result.created) scheduleSoon(ctx, result.run.id);
    return result;
  });

/** A run from YAML text: pasted in the form, or POST /runs with a YAML content type. */
export const createFromYaml = writerProcedure
  .meta({
    scope: "runs:write",
    // Shares POST /runs with `create`: the REST handler picks it by the body's content type.
    openapi: { method: "POST", path: "/runs", enabled: false, contentTypes: [...yamlContentTypes] },
    restTextBody: { contentTypes: yamlContentTypes, field: "yaml" },
    restCreated: "unless-existing",
  })
  .input(z.object({ yaml: z.string().max(1024 * 1024) }).strict())
  .output(createRunOutput)
  .mutation(async ({ ctx, input }) => {
    const result = await createRunFromYaml({ prisma: ctx.prisma, ctx: ctx.teamContext, yaml: input.yaml, ...key(ctx) });
    if (result.created) scheduleSoon(ctx, result.run.id);
    return result;
  });
