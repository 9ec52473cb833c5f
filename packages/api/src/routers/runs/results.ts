import { z } from "zod";
import { getRunResults } from "@bailey/core";
import { runArtifactsOutput, runResultsOutput } from "../../schemas/runs";
import { teamProcedure } from "../../trpc";

const runId = z.object({ id: z.string().min(1).max(64) }).strict();

export const results = teamProcedure
  .meta({
    scope: "runs:read",
    openapi: {
      method: "GET",
      path: "/runs/{id}/results",
      tags: ["runs"],
      summary: "The run's results: the diff, the commits bundle and artifacts (sizes, SHA-256, whether stored), the commits, the pushed branch, which results are missing and why",
    },
  })
  .input(runId)
  .output(runResultsOutput)
  .query(({ ctx, input }) => getRunResults({ prisma: ctx.prisma, ctx: ctx.teamContext, runId: input.id }));

export const artifacts = teamProcedure
  .meta({ scope: "runs:read", openapi: { method: "GET", path: "/runs/{id}/artifacts", tags: ["runs"], summary: "The run's artifacts (spec.artifacts): path, size, SHA-256, whether stored" } })
  .input(runId)
  .output(runArtifactsOutput)
  .query(async ({ ctx, input }) => {
    const { files } = await getRunResults({ prisma: ctx.prisma, ctx: ctx.teamContext, runId: input.id });
    return { artifacts: files.filter((file) => file.kind === "artifact").map((file) => ({ ...file, path: file.name.slice("artifacts/".length) })) };
  });
