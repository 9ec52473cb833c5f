import { addHost, listHosts } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, readJsonBody, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("hosts:read", async ({ ctx }) => json({ hosts: await listHosts({ prisma: db(), ctx }) }));

/** Adds a host by hand (address, port, user, pasted fingerprint); answers once it was greeted. */
export const POST = restRoute("hosts:write", async ({ ctx, request }) => {
  const host = await addHost({ prisma: db(), ctx, connections: hostConnections(), input: await readJsonBody(request) });
  return json({ host: { id: host.id, name: host.name, status: host.status, statusReason: host.statusReason } }, { status: 201 });
});
