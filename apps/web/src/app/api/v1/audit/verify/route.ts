import { verifyAuditChain } from "@bailey/core";
import { db } from "~/server/db";
import { json, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("audit:read", async ({ ctx }) => json(await verifyAuditChain({ prisma: db(), teamId: ctx.teamId })));
