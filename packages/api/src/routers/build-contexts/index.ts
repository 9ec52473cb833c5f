import { listBuildContexts } from "@bailey/core";
import { buildContextsOutput } from "../../schemas/build-contexts";
import { router, teamProcedure } from "../../trpc";

// The upload (POST /build-contexts) takes the raw tar, which no procedure can: it is
// rest/build-context-upload.ts, listed in rest/uploads.ts for the OpenAPI document.
export const buildContextsRouter = router({
  list: teamProcedure
    .meta({
      scope: "runs:read",
      openapi: {
        method: "GET",
        path: "/build-contexts",
        tags: ["build-contexts"],
        summary: "The team's uploaded build contexts (sha256, size, when), newest first; older than 7 days and unused by active runs, they are deleted",
      },
    })
    .output(buildContextsOutput)
    .query(async ({ ctx }) => ({ buildContexts: await listBuildContexts({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
});
