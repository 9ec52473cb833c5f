import { exportAuditEvents } from "@bailey/core";
import { auditSigningKey } from "~/server/audit-signing-key";
import { db } from "~/server/db";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

/** The team's whole audit chain as JSON lines, oldest first, streamed page by page, ending with its signed head. */
export const GET = streamRoute("audit:read", async ({ ctx }) => {
  const lines = exportAuditEvents({ prisma: db(), ctx, key: auditSigningKey() })[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson", "content-disposition": 'attachment; filename="bailey-audit.jsonl"', "cache-control": "no-store" } });
});
