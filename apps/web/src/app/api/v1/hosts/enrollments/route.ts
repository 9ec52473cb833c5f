import { createHostEnrollment, listHostEnrollments } from "@bailey/core";
import { db } from "~/server/db";
import { installCommandFor } from "~/server/host-install";
import { json, readJsonBody, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

export const GET = restRoute("hosts:read", async ({ ctx }) => json({ enrollments: await listHostEnrollments({ prisma: db(), ctx }) }));

/** A one-time token and the install command that uses it; the token is shown only here. */
export const POST = restRoute("hosts:write", async ({ ctx, request }) => {
  const { enrollment, token } = await createHostEnrollment({ prisma: db(), ctx, input: await readJsonBody(request) });
  return json({ enrollment, token, installCommand: installCommandFor({ token, hostName: enrollment.name }) }, { status: 201 });
});
