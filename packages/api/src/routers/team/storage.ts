import { teamStorage } from "@bailey/core";
import { teamStorageOutput } from "../../schemas/team";
import { teamProcedure } from "../../trpc";

/** The Team page's storage total; every member may see it (retention is changed with the run policy). */
export const storage = teamProcedure
  .meta({ scope: "runs:read", openapi: { method: "GET", path: "/team/storage", tags: ["team"], summary: "Bytes the team's stored logs and results take, and how long they are kept" } })
  .output(teamStorageOutput)
  .query(({ ctx }) => teamStorage({ prisma: ctx.prisma, ctx: ctx.teamContext }));
