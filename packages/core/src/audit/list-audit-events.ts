import type { PrismaClient } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";

export interface ListAuditOptions {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  actorId?: string;
  action?: string;
  runId?: string;
  since?: Date;
  until?: Date;
  /** Events with a sequence number below this one (for paging backwards). */
  beforeSeq?: number;
  limit: number;
}

/** A team's audit trail, newest first. */
export async function listAuditEvents({ prisma, ctx, actorId, action, runId, since, until, beforeSeq, limit }: ListAuditOptions) {
  const events = await prisma.auditEvent.findMany({
    where: teamScope(ctx, {
      ...(actorId ? { actorId } : {}),
      ...(action ? { action } : {}),
      ...(runId ? { runId } : {}),
      ...(since || until ? { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) } } : {}),
      ...(beforeSeq ? { seq: { lt: beforeSeq } } : {}),
    }),
    orderBy: { seq: "desc" },
    take: limit,
  });
  return { events, nextBeforeSeq: events.length === limit ? (events.at(-1)?.seq ?? null) : null };
}
