import { teamOverview } from "@bailey/core";
import { overviewInput, overviewOutput } from "../../schemas/overview";
import { router, teamProcedure } from "../../trpc";

export const overviewRouter = router({
  get: teamProcedure
    .meta({ scope: "runs:read", openapi: { method: "GET", path: "/overview", tags: ["overview"], summary: "The team's runs, queue, start latency, failures and host load per hour" } })
    .input(overviewInput)
    .output(overviewOutput)
    .query(({ ctx, input }) => teamOverview({ prisma: ctx.prisma, ctx: ctx.teamContext, hours: input.hours })),
});
