import { listRuns } from "@bailey/core";
import { teamProcedure } from "../../trpc";
import { listRunsInput } from "./list.schema";

export const list = teamProcedure
  .input(listRunsInput)
  .query(({ ctx, input }) =>
    listRuns({ prisma: ctx.prisma, ctx: ctx.teamContext, state: input.state, limit: input.limit, cursor: input.cursor ?? undefined }),
  );
