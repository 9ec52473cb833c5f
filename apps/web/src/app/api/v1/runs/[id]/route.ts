import { destroyRun, getRun } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("runs:read", async ({ ctx, params }) => json({ run: await getRun({ prisma: db(), ctx, runId: params.id ?? "" }) }));

export const DELETE = restRoute("runs:write", async ({ ctx, params }) => json(await destroyRun({ prisma: db(), ctx, connections: hostConnections(), runId: params.id ?? "" })));
