import { db } from "~/server/db";

export const dynamic = "force-dynamic";

/** For load balancers and the launcher: is the dashboard up, and can it reach Postgres? */
export async function GET(): Promise<Response> {
  try {
    await db().$queryRaw`SELECT 1`;
    return Response.json({ status: "ok", database: "reachable" });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return Response.json({ status: "error", database: "unreachable", error: message }, { status: 503 });
  }
}
