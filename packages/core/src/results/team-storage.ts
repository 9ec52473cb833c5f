import type { PrismaClient } from "@bailey/db";
import type { TeamContext } from "../authz";

/** Bytes the team's runs hold in the blob store now (stored logs and result files of runs retention has not expired), and how long they are kept. */
export async function teamStorage({ prisma, ctx }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId"> }): Promise<{ storageBytes: number; blobRetentionDays: number }> {
  const [row] = await prisma.$queryRaw<{ logs: bigint | null; results: bigint | null; days: number }[]>`
    SELECT
      (SELECT sum("logBytesStored") FROM "Run" WHERE "teamId" = ${ctx.teamId} AND "blobsExpiredAt" IS NULL)::bigint AS logs,
      (SELECT sum(rr."storedBytes") FROM "RunResult" rr JOIN "Run" r ON r.id = rr."runId" WHERE r."teamId" = ${ctx.teamId} AND r."blobsExpiredAt" IS NULL)::bigint AS results,
      (SELECT "blobRetentionDays" FROM "Team" WHERE id = ${ctx.teamId}) AS days`;
  return { storageBytes: Number(row?.logs ?? 0n) + Number(row?.results ?? 0n), blobRetentionDays: row?.days ?? 30 };
}
