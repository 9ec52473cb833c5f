import type { PrismaClient } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";

export interface RunEgressEntry {
  host: string;
  port: number;
  decision: "allowed" | "denied";
  via: string | null;
  reason: string | null;
  connections: number;
  /** Bytes as numbers: exact up to 8 PiB, far beyond what one run moves. */
  bytesIn: number;
  bytesOut: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Where a run's egress proxy let it go and where it refused, one entry per host, port and
 * decision: denials first (what a user looks for when a run fails), then the latest first.
 * Every member of the run's team may read it, viewers included: it holds no credential.
 */
export async function listRunEgress({ prisma, ctx, runId }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId">; runId: string }) {
  const run = await prisma.run.findFirst({ where: teamScope(ctx, { id: runId }), select: { id: true } });
  if (!run) throw AppError.notFound("Run");
  const rows = await prisma.runEgress.findMany({ where: { runId: run.id }, orderBy: [{ lastAt: "desc" }, { host: "asc" }, { port: "asc" }] });
  const egress: RunEgressEntry[] = rows
    .map((row) => ({
      host: row.host,
      port: row.port,
      decision: row.decision === "allowed" ? ("allowed" as const) : ("denied" as const),
      via: row.via,
      reason: row.reason,
      connections: row.connections,
      bytesIn: Number(row.bytesIn),
      bytesOut: Number(row.bytesOut),
      firstAt: row.firstAt,
      lastAt: row.lastAt,
    }))
    .sort((a, b) => (a.decision === b.decision ? 0 : a.decision === "denied" ? -1 : 1));
  const totals = { allowed: 0, denied: 0 };
  for (const entry of egress) totals[entry.decision] += entry.connections;
  return { egress, totals };
}
