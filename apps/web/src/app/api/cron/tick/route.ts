import { timingSafeEqual } from "node:crypto";
import { deliverDueWebhooks, signDueAuditCheckpoints, tick } from "@bailey/core";
import { serverEnv } from "~/env";
import { auditSigningKey } from "~/server/audit-signing-key";
import { blobStore } from "~/server/blob-store";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { jsonResponse, restErrorResponse } from "@bailey/api";
import { type SchedulerLock, tryTakeSchedulerLock } from "@bailey/db/scheduler-lock";

export const dynamic = "force-dynamic";

/** One scheduler step for a hosted deployment's cron; `npm start`'s replicas tick by themselves (one elected leader). */
export async function POST(request: Request): Promise<Response> {
  const secret = serverEnv().BAILEY_CRON_SECRET;
  if (!secret) return jsonResponse({ error: { code: "NOT_FOUND", message: "Set BAILEY_CRON_SECRET to drive the scheduler from cron." } }, 404);
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "");
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return jsonResponse({ error: { code: "UNAUTHORIZED", message: "Send Authorization: Bearer $BAILEY_CRON_SECRET." } }, 401);
  }
  // The same lock the replicas elect their scheduler with: a cron call never ticks beside a leader (or another call).
  let lock: SchedulerLock | null;
  try {
    lock = await tryTakeSchedulerLock(serverEnv().DATABASE_URL);
  } catch (error) {
    return restErrorResponse(error);
  }
  if (!lock) {
    return jsonResponse(
      {
        error: {
          code: "CONFLICT",
          message:
            "The scheduler is running elsewhere: a replica (or another cron call) holds the scheduler lock, so this call did nothing. Drive the scheduler either with BAILEY_TICK_INTERVAL_MS on the replicas or with cron, not both.",
        },
      },
      409,
    );
  }
  try {
    const report = await tick({ prisma: db(), connections: hostConnections(), blobs: blobStore() });
    const key = auditSigningKey();
    const auditCheckpoints = key ? await signDueAuditCheckpoints({ prisma: db(), key }) : null;
    // Serverless deployments run no sender loop: each cron call sends what is due (the tick above may just have queued run events).
    const webhooks = await deliverDueWebhooks({ prisma: db() });
    return jsonResponse({ ...report, auditCheckpoints, webhooks });
  } catch (error) {
    return restErrorResponse(error);
  } finally {
    await lock.release();
  }
}
