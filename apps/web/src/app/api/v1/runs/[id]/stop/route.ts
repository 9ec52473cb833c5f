import { AppError, stopRun } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const POST = restRoute("runs:write", async ({ ctx, params, request }) => {
  const grace = Number(new URL(request.url).searchParams.get("graceSeconds") ?? 10);
  if (!Number.isInteger(grace) || grace < 0 || grace > 3600) throw new AppError("BAD_REQUEST", "graceSeconds must be a whole number from 0 to 3600.");
  return json({ run: await stopRun({ prisma: db(), ctx, connections: hostConnections(), runId: params.id ?? "", graceSeconds: grace }) });
});
