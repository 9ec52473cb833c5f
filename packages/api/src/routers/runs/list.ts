import { listRuns } from "@bailey/core";
import { teamProcedure } from "../../trpc";
import { listRunsInput } from "./list.schema";

export const list = teamProcedure
  .meta({ scope: "runs:read" })
  .input(listRunsInput)
  .query(({ ctx, input }) =>
    listRuns({
      prisma: ctx.prisma,
      ctx: ctx.teamContext,
      limit: input.limit,
      ...(input.state ? { state: input.state } : {}),
      ...(input.hostId ? { hostId: input.hostId } : {}),
      ...(input.createdById ? { createdById: input.createdById } : {}),
      ...(input.text ? { text: input.text } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
  );
