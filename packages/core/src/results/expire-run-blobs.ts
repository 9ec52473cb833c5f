import type { PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { type BlobStore, runBlobPrefix } from "../blobs/blob-store";

const expireEveryMs = 10 * 60_000;
let lastExpiredAt = 0;

export interface ExpireReport {
  runs: number;
  bytesFreed: number;
}

/** The tick's retention step: at most every 10 minutes per process (each run is claimed by compare-and-set, so replicas never race on one). */
export async function expireRunBlobsIfDue({ prisma, blobs }: { prisma: PrismaClient; blobs: BlobStore }): Promise<ExpireReport | null> {
  if (Date.now() - lastExpiredAt < expireEveryMs) return null;
  lastExpiredAt = Date.now();
  return expireRunBlobs({ prisma, blobs });
}

/**
 * Removes the stored logs and results of runs that finished longer ago than their team's
 * blobRetentionDays, oldest first, at most `limit` runs per call. Each run is claimed by setting
 * blobsExpiredAt where it is still null, so two control planes never remove one run's twice;
 * a removal that fails gives the claim back, and the next clean-up tries again.
 */
export async function expireRunBlobs({ prisma, blobs, limit = 200 }: { prisma: PrismaClient; blobs: BlobStore; limit?: number }): Promise<ExpireReport> {
  const due = await prisma.$queryRaw<{ id: string; teamId: string; days: number }[]>`
    SELECT r.id, r."teamId", t."blobRetentionDays" AS days FROM "Run" r JOIN "Team" t ON t.id = r."teamId"
    WHERE r."blobsExpiredAt" IS NULL AND r."finishedAt" < now() - make_interval(days => t."blobRetentionDays")
      AND (r."logBytesStored" > 0 OR r."resultsState" <> 'none')
    ORDER BY r."finishedAt" LIMIT ${limit}`;
  const report: ExpireReport = { runs: 0, bytesFreed: 0 };
  for (const run of due) {
    const claimedAt = new Date();
    const { count } = await prisma.run.updateMany({ where: { id: run.id, blobsExpiredAt: null }, data: { blobsExpiredAt: claimedAt } });
    if (!count) continue;
    let freed: number;
    try {
      freed = await blobs.deletePrefix(runBlobPrefix(run.id));
    } catch (error) {
      await prisma.run.updateMany({ where: { id: run.id, blobsExpiredAt: claimedAt }, data: { blobsExpiredAt: null } });
      throw error;
    }
    // The byte counts stay as they were (what the run had); blobsExpiredAt says none of it is stored any more.
    await prisma.$transaction(async (tx) => {
      await appendAuditEvent(tx, {
        teamId: run.teamId,
        actorType: "system",
        action: "run.blobs_expired",
        targetType: "run",
        targetId: run.id,
        runId: run.id,
        data: { retentionDays: run.days, bytesFreed: freed },
      });
    });
    report.runs += 1;
    report.bytesFreed += freed;
  }
  return report;
}
