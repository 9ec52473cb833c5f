import { timingSafeEqual } from "node:crypto";
import { signDueAuditCheckpoints, tick } from "@bailey/core";
import { serverEnv } from "~/env";
import { auditSigningKey } from "~/server/audit-signing-key";
import { blobStore } from "~/server/blob-store";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { jsonResponse, restErrorResponse } from "@bailey/api";

export const dynamic = "force-dynamic";

/** One scheduler step for a hosted deployment's cron; `npm start` ticks by itself. */
export async function POST(request: Request): Promise<Response> {
  const secret = serverEnv().BAILEY_CRON_SECRET;
  if (!secret) return jsonResponse({ error: { code: "NOT_FOUND", message: "Set BAILEY_CRON_SECRET to drive the scheduler from cron." } }, 404);
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "");
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return jsonResponse({ error: { code: "UNAUTHORIZED", message: "Send Authorization: Bearer $BAILEY_CRON_SECRET." } }, 401);
  }
  try {
    const report = await tick({ prisma: db(), connections: hostConnections(), blobs: blobStore() });
    const key = auditSigningKey();
    const auditCheckpoints = key ? await signDueAuditCheckpoints({ prisma: db(), key }) : null;
    return jsonResponse({ ...report, auditCheckpoints });
  } catch (error) {
    return restErrorResponse(error);
  }
}
