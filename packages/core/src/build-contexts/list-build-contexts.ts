import type { PrismaClient } from "@bailey/db";
import { requireRole, type TeamContext, teamScope } from "../authz";
import { type BuildContextSummary, buildContextSelect } from "./upload-build-context";

/** The team's uploaded build contexts, newest first (never their bytes). */
export async function listBuildContexts({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }): Promise<BuildContextSummary[]> {
  requireRole(ctx, "viewer");
  return prisma.buildContext.findMany({ where: teamScope(ctx), select: buildContextSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 500 });
}
