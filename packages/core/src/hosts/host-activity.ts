import { Prisma, type PrismaClient } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { activeRunStates } from "../runs/state-machine";

const sampleEveryMs = 60_000;

/** Records each connected host's active run count, at most once a minute, for its chart. */
export async function recordHostSamples(prisma: PrismaClient): Promise<number> {
  return prisma.$executeRaw`
    INSERT INTO "HostSample" ("hostId", "runningRuns")
    SELECT h.id, (SELECT count(*)::int FROM "Run" r WHERE r."hostId" = h.id AND r.state::text IN (${Prisma.join([...activeRunStates])}))
    FROM "Host" h
    WHERE h.status IN ('online', 'draining')
      AND NOT EXISTS (SELECT 1 FROM "HostSample" s WHERE s."hostId" = h.id AND s.at > now() - ${`${sampleEveryMs} milliseconds`}::interval)`;
}

/** The host's samples of the last hours, oldest first. */
export async function hostActivity({ prisma, ctx, hostId, hours = 1 }: { prisma: PrismaClient; ctx: TeamContext; hostId: string; hours?: number }) {
  const host = await prisma.host.findFirst({ where: teamScope(ctx, { id: hostId }), select: { id: true, capacityRuns: true } });
  if (!host) throw AppError.notFound("Host");
  const samples = await prisma.hostSample.findMany({ where: { hostId, at: { gte: new Date(Date.now() - hours * 3600_000) } }, orderBy: { at: "asc" }, select: { at: true, runningRuns: true } });
  return { capacityRuns: host.capacityRuns, samples };
}
