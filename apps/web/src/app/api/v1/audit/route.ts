import { AppError, listAuditEvents } from "@bailey/core";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

// Audit sequence numbers are Postgres integers.
const maxSeq = 2_147_483_647;

export const GET = restRoute("audit:read", async ({ ctx, request }) => {
  const params = new URL(request.url).searchParams;
  const limit = Number(params.get("limit") ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError("BAD_REQUEST", "limit must be a whole number from 1 to 1000.");
  const date = (name: string) => {
    const value = params.get(name);
    if (!value) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()) || parsed.getUTCFullYear() < 1 || parsed.getUTCFullYear() > 9999) throw new AppError("BAD_REQUEST", `${name} must be an ISO date, e.g. 2026-01-31T00:00:00Z.`);
    return parsed;
  };
  const since = date("since");
  const until = date("until");
  const beforeSeq = params.get("beforeSeq") ? Number(params.get("beforeSeq")) : undefined;
  if (beforeSeq !== undefined && !(Number.isInteger(beforeSeq) && beforeSeq >= 1 && beforeSeq <= maxSeq)) throw new AppError("BAD_REQUEST", "beforeSeq must be a sequence number from an earlier page (nextBeforeSeq).");
  return json(
    await listAuditEvents({
      prisma: db(),
      ctx,
      limit,
      ...(params.get("actor") ? { actorId: params.get("actor")! } : {}),
      ...(params.get("action") ? { action: params.get("action")! } : {}),
      ...(params.get("run") ? { runId: params.get("run")! } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(beforeSeq ? { beforeSeq } : {}),
    }),
  );
});
