import { listRuns } from "@bailey/core";
import { listRunsOutput } from "../../schemas/runs";
import { teamProcedure } from "../../trpc";
import { listRunsInput } from "./list.schema";

export const list = teamProcedure
  .meta({ scope: "runs:read", openapi: { method: "GET", path: "/runs", tags: ["runs"], summary: "List runs, newest first" } })
  .input(listRunsInput)
  .output(listRunsOutput)
  .query(({ ctx, input }) =>
    listRuns({
      prisma: ctx.prisma,
      ctx: ctx.teamContext,
      limit: input.limit,
      ...(input.state ? { state: input.state } : {}),
      ...(input.host ? { hostId: input.host } : {}),
      ...(input.creator ? { createdById: input.creator } : {}),
      ...(input.q ? { text: input.q } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
  );
