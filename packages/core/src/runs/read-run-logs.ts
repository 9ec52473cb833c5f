import type { PrismaClient } from "@bailey/db";
import { RpcError, rpcErrorCodes, type StreamChunk } from "@bailey/protocol";
import type { TeamContext } from "../authz";
import { type BlobStore, runLogKey } from "../blobs/blob-store";
import { AppError } from "../errors";
import type { HostConnections } from "../scheduler/host-connections";
import { getRun } from "./run-operations";

interface RunLogsOptions {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  connections: HostConnections;
  runId: string;
  /** Where shipped logs are kept: without it, logs are read from the host only. */
  blobs?: BlobStore;
}

/** A run's output: live from its host's agent, or what the blob store holds. */
export interface RunLogStream {
  chunks: AsyncIterable<StreamChunk>;
  cancel(): void;
}

/** Host states whose agent is not asked: its runs' logs come from the blob store. */
const unreachableHostStates = new Set(["offline", "removed", "key_mismatch"]);

/**
 * A run's output. A run whose log is all in the blob store, or whose host is gone, unreachable or
 * no longer knows it, is served from the blob store (the bytes shipped; `follow` then just ends),
 * so logs stay readable after the run is destroyed, its host removed or lost. A live run is read
 * from its host's agent (follow: until the run ends). With nothing stored and the host
 * unreachable: UNAVAILABLE, whoever asks (the dashboard's tail, REST's stream).
 */
export async function openRunLogs({
  prisma,
  ctx,
  connections,
  runId,
  follow,
  blobs,
  tailBytes,
}: RunLogsOptions & { follow: boolean; tailBytes?: number }): Promise<{ run: Awaited<ReturnType<typeof getRun>>; stream: RunLogStream | null }> {
  const run = await getRun({ prisma, ctx, runId });
  const storedBytes = Number(run.logBytesStored);
  const stored = blobs && !run.blobsExpiredAt ? () => ({ run, stream: storedLog(blobs, runId, storedBytes, tailBytes) }) : null;
  if (stored && run.logsCompleteAt) return stored();
  if (!run.host) {
    // Its host was deleted (the run had reached it), or it never reached one.
    return stored && (storedBytes > 0 || run.finishedAt) ? stored() : { run, stream: null };
  }
  const host = await prisma.host.findUniqueOrThrow({ where: { id: run.host.id } });
  if (stored && unreachableHostStates.has(host.status)) {
    if (storedBytes > 0 || run.finishedAt) return stored();
    throw new AppError("UNAVAILABLE", `The logs are on host ${host.name}, which cannot be reached right now (${host.status}), and none are stored in Bailey yet; try again once it is back.`);
  }
  try {
    const agent = connections.get(host);
    // Asked first, so a host that no longer knows the run (destroyed there, a new agent) is told apart from a live one.
    if (stored) await agent.request("run.inspect", { runId }, { timeoutMs: 15_000 });
    return { run, stream: await agent.openStream("run.logs", { runId, follow }) };
  } catch (error) {
    // What is stored stands in when the host no longer knows the run, or when there is something to
    // show; a live run on a host that is briefly away with nothing stored yet is worth a retry.
    const forgotten = error instanceof RpcError && error.code === rpcErrorCodes.runNotFound;
    if (stored && (forgotten || storedBytes > 0 || run.finishedAt)) return stored();
    throw new AppError("UNAVAILABLE", `The logs are on host ${host.name}, which cannot be reached right now: ${(error as Error).message}`);
  }
}

/** The shipped bytes of a run's log as one stream (its last `tailBytes` when asked). */
function storedLog(blobs: BlobStore, runId: string, sizeBytes: number, tailBytes?: number): RunLogStream {
  const start = tailBytes === undefined ? 0 : Math.max(0, sizeBytes - tailBytes);
  const source = blobs.read(runLogKey(runId), sizeBytes, { start, end: sizeBytes });
  return {
    chunks: (async function* () {
      for await (const data of source) yield { fd: "stdout" as const, data: data as Buffer };
    })(),
    cancel: () => source.destroy(),
  };
}

/** The end of a run's output as text (at most maxBytes), from its host's agent or the blob store. */
export async function readRunLogs({ maxBytes = 1024 * 1024, ...options }: RunLogsOptions & { maxBytes?: number }) {
  const { run, stream } = await openRunLogs({ ...options, follow: false, tailBytes: maxBytes + 1 });
  if (!stream) return { text: "", truncated: false, state: run.state };
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream.chunks) {
    chunks.push(Buffer.from(chunk.data));
    size += chunk.data.length;
    // Keep only the tail: older chunks go once the newest ones alone fill the budget.
    while (size - (chunks[0]?.length ?? 0) >= maxBytes && chunks.length > 1) {
      size -= chunks.shift()!.length;
      truncated = true;
    }
  }
  let text = Buffer.concat(chunks);
  if (text.length > maxBytes) {
    text = text.subarray(text.length - maxBytes);
    truncated = true;
  }
  return { text: text.toString("utf8"), truncated, state: run.state };
}
