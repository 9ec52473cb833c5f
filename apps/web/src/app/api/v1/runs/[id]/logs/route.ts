import { AppError, openRunLogs } from "@bailey/core";
import { isRpcError, rpcErrorCodes, type StreamChunk } from "@bailey/protocol";
import { blobStore } from "~/server/blob-store";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

/**
 * How long the answer waits for the stream's first chunk. The agent refuses at once (no container,
 * an unknown run), and an error in the body before its first byte only closes the socket (the
 * client sees "other side closed"), so a refusal within this wait is answered as an HTTP error
 * instead. A quiet run's follow is answered after it, and its bytes come as they come.
 */
const firstChunkWaitMs = 1000;

/** How long a follow of a run that has not started waits for it to start, before answering 409 as a plain read does. */
const followStartWaitMs = 5 * 60_000;

/** The run's output as plain text; `follow=true` keeps streaming until the run ends or the client leaves. */
export const GET = streamRoute("runs:read", async ({ ctx, params, request }) => {
  const follow = new URL(request.url).searchParams.get("follow") === "true";
  const { run, stream } = await openRunLogs({
    prisma: db(),
    ctx,
    connections: hostConnections(),
    blobs: blobStore(),
    runId: params.id ?? "",
    follow,
    waitForStart: { timeoutMs: followStartWaitMs, abort: request.signal },
  });
  if (!stream)
    throw new AppError(
      "CONFLICT",
      follow
        ? `Run ${run.id} has not started on a host yet (it is still ${run.state} after ${followStartWaitMs / 60_000} minutes of waiting); follow its logs again later, or see why it waits with GET /api/v1/runs/${run.id}.`
        : `Run ${run.id} has not started on a host yet (it is ${run.state}); its logs start once it is running (follow=true waits for that).`,
    );
  request.signal.addEventListener("abort", () => stream.cancel(), { once: true });
  // Pull-based: the agent's stream advances only as fast as the HTTP client reads, so a slow
  // client holds back the agent (through the protocol's flow control), not this process's memory.
  const chunks = stream.chunks[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<StreamChunk>> | null = chunks.next();
  let timer: NodeJS.Timeout | undefined;
  const arrived = await Promise.race([
    first.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), firstChunkWaitMs);
    }),
  ]);
  clearTimeout(timer);
  if (arrived) {
    try {
      await first;
    } catch (error) {
      stream.cancel();
      // The host has no container for it (yet, or any more): the same answer as a run not started.
      if (isRpcError(error, rpcErrorCodes.conflict)) throw new AppError("CONFLICT", (error as Error).message);
      throw new AppError("UNAVAILABLE", `The run's logs could not be read from its host: ${(error as Error).message}`);
    }
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await (first ?? chunks.next());
        first = null;
        if (next.done) controller.close();
        // A view of the chunk, not a copy (new Uint8Array(buffer) would copy every byte once more).
        else controller.enqueue(new Uint8Array(next.value.data.buffer, next.value.data.byteOffset, next.value.data.byteLength));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel: () => stream.cancel(),
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
});
