import type { PrismaClient } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";

/**
 * The team's audit events as JSON lines, oldest first, a page at a time so a long chain
 * never sits in memory. Each line carries seq, prevHash and hash, so the export verifies offline.
 */
export async function* exportAuditEvents({ prisma, ctx, pageSize = 500 }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId">; pageSize?: number }): AsyncGenerator<string> {
  let afterSeq = 0;
  for (;;) {
    const page = await prisma.auditEvent.findMany({ where: teamScope(ctx, { seq: { gt: afterSeq } }), orderBy: { seq: "asc" }, take: pageSize });
    if (page.length === 0) return;
    yield page.map((event) => `${JSON.stringify(event, (_key, value) => (typeof value === "bigint" ? value.toString() : value))}\n`).join("");
    afterSeq = page.at(-1)!.seq;
  }
}
