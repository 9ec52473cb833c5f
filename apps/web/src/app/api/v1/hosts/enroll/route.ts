import { completeHostEnrollment } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, publicRoute, readJsonBody } from "~/server/rest/route";

export const dynamic = "force-dynamic";

/** install.sh reports the host back here; the one-time enrollment token in the body is the credential. */
export const POST = publicRoute(async (request) => json({ host: await completeHostEnrollment({ prisma: db(), connections: hostConnections(), input: await readJsonBody(request) }) }, { status: 201 }));
