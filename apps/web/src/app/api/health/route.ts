import { db } from "~/server/db";
import { describeError } from "~/server/describe-error";

export const dynamic = "force-dynamic";

// Probes must see the database as it is now, never a cached answer.
const noStore = { "Cache-Control": "no-store" };

/** For load balancers and the launcher: is the dashboard up, and can it reach Postgres? */
export async function GET(): Promise<Response> {
  try {
    await db().$queryRaw`SELECT 1`;
    return Response.json({ status: "ok", database: "reachable" }, { headers: noStore });
  } catch (error) {
    return Response.json({ status: "error", database: "unreachable", error: describeError(error) }, { status: 503, headers: noStore });
  }
}
