import { getHost, removeHost } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("hosts:read", async ({ ctx, params }) => json({ host: await getHost({ prisma: db(), ctx, hostId: params.id ?? "" }) }));

export const DELETE = restRoute("hosts:write", async ({ ctx, params }) => {
  const host = await removeHost({ prisma: db(), ctx, connections: hostConnections(), hostId: params.id ?? "" });
  return json({ host: { id: host.id, status: host.status } });
});
