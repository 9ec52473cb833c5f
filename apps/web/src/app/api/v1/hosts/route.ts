import { teamScope } from "@bailey/core";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("hosts:read", async ({ ctx }) => {
  const hosts = await db().host.findMany({
    where: teamScope(ctx),
    orderBy: { name: "asc" },
    select: { id: true, name: true, status: true, statusReason: true, address: true, runtimeType: true, labels: true, capacityRuns: true, hasNetworks: true, hasSidecars: true, hasBuilds: true, hasRunsc: true, lastSeenAt: true },
  });
  return json({ hosts });
});
