import type { PrismaClient } from "@bailey/db";

/** Contexts are kept this long after upload, and after that for as long as an active run builds from one. */
export const buildContextRetentionMs = 7 * 24 * 3600 * 1000;

/** Deletes contexts older than the retention that no queued or running run names; returns how many. */
export async function pruneBuildContexts(prisma: PrismaClient, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - buildContextRetentionMs);
  return prisma.$executeRaw`
    DELETE FROM "BuildContext" c WHERE c."createdAt" < ${cutoff}
      AND NOT EXISTS (
        SELECT 1 FROM "Run" r
        WHERE r."teamId" = c."teamId" AND r.state IN ('queued', 'scheduled', 'provisioning', 'running', 'stopping')
          AND r.spec -> 'build' ->> 'context' = c.sha256
      )`;
}
