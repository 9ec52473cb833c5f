import { drainHost } from "@bailey/core";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const POST = restRoute("hosts:write", async ({ ctx, params }) => {
  const host = await drainHost({ prisma: db(), ctx, hostId: params.id ?? "" });
  return json({ host: { id: host.id, status: host.status, drainedAt: host.drainedAt } });
});
