import { resumeHost } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const POST = restRoute("hosts:write", async ({ ctx, params }) => {
  const host = await resumeHost({ prisma: db(), ctx, connections: hostConnections(), hostId: params.id ?? "" });
  return json({ host: { id: host.id, status: host.status, statusReason: host.statusReason } });
});
