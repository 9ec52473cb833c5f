import { AppError, openRunLogs } from "@bailey/core";
import { blobStore } from "~/server/blob-store";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

/** The run's output as plain text; `follow=true` keeps streaming until the run ends or the client leaves. */
export const GET = streamRoute("runs:read", async ({ ctx, params, request }) => {
  const follow = new URL(request.url).searchParams.get("follow") === "true";
  const { stream } = await openRunLogs({ prisma: db(), ctx, connections: hostConnections(), blobs: blobStore(), runId: params.id ?? "", follow });
  if (!stream) throw new AppError("CONFLICT", "This run has not reached a host yet; its logs start once it does.");
  request.signal.addEventListener("abort", () => stream.cancel(), { once: true });
  // Pull-based: the agent's stream advances only as fast as the HTTP client reads, so a slow
  // client holds back the agent (through the protocol's flow control), not this process's memory.
  const chunks = stream.chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.data));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel: () => stream.cancel(),
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
});
