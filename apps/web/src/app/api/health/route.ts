import { db } from "~/server/db";
import { describeError } from "~/server/describe-error";

export const dynamic = "force-dynamic";

// Probes must see the database as it is now, never a cached answer.
const noStore = { "Cache-Control": "no-store" };

// The driver's words (addresses, user names) are for the operator's log, not for whoever can
// reach this unauthenticated URL; each distinct reason is logged once, not once per probe.
let lastLoggedReason: string | undefined;

/** For load balancers and the launcher: is the dashboard up, and can it reach Postgres? */
export async function GET(): Promise<Response> {
  try {
    await db().$queryRaw`SELECT 1`;
    lastLoggedReason = undefined;
    return Response.json({ status: "ok", database: "reachable" }, { headers: noStore });
  } catch (error) {
    const reason = describeError(error);
    if (reason !== lastLoggedReason) console.error(`[health] the database is unreachable: ${reason}`);
    lastLoggedReason = reason;
    return Response.json({ status: "error", database: "unreachable", message: "Bailey cannot reach its database; the server's log says why." }, { status: 503, headers: noStore });
  }
}
