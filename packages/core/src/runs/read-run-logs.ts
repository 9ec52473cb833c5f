import type { PrismaClient } from "@bailey/db";
import { RpcError, rpcErrorCodes, type StreamChunk } from "@bailey/protocol";
import type { TeamContext } from "../authz";
import { type BlobStore, runLogKey } from "../blobs/blob-store";
import { AppError } from "../errors";
import type { HostConnections } from "../scheduler/host-connections";
import { type LogFileAgent, logFileState, readLogFile } from "./agent-log-stream";
import { getRun } from "./run-operations";
import { onRunStarted, waitForRunState } from "./run-state-signal";

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

/**
 * Run states before the container has started: the host may not know the run yet (it would be
 * taken for forgotten and answered with an empty stored log) or has no container to read, so
 * there is no stream yet — the caller says so (REST: 409) and asks again once the run is running,
 * or (a follow) waits for it to start.
 */
const notStartedStates = new Set(["queued", "scheduled", "provisioning"]);

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
  waitForStart,
}: RunLogsOptions & {
  follow: boolean;
  tailBytes?: number;
  /** A follow of a run not started yet waits this long for it to start (or end) instead of answering `stream: null`. */
  waitForStart?: { timeoutMs: number; abort?: AbortSignal };
}): Promise<{ run: Awaited<ReturnType<typeof getRun>>; stream: RunLogStream | null }> {
  let run = await getRun({ prisma, ctx, runId });
  if (follow && waitForStart && notStartedStates.has(run.state)) {
    const started = await waitForStartOrAgent({ prisma, runId, waitForStart });
    if (started && typeof started === "object" && !waitForStart.abort?.aborted) {
      // This process's dispatch heard the agent start it: its log is read from that host at once,
      // while the running state is still being committed.
      const host = await prisma.host.findUnique({ where: { id: started.startedOn } });
      const agent = host && connections.get(host);
      const file = agent && (await logFileState(agent, runId).catch(() => null));
      if (agent && file)
        return {
          run: { ...run, state: "running" },
          stream: fileLog({ prisma, agent, runId, follow, tailBytes, file, ended: false, blobs: blobs && !run.blobsExpiredAt ? blobs : undefined, storedBytes: 0 }),
        };
      // Else from its row, as any other reader, once the state has committed.
      await waitForRunState({ prisma, runId, reached: (state) => !notStartedStates.has(state), ...waitForStart });
    }
    if (started) run = await getRun({ prisma, ctx, runId });
  }
  const storedBytes = Number(run.logBytesStored);
  const stored = blobs && !run.blobsExpiredAt ? () => ({ run, stream: storedLog(blobs, runId, storedBytes, tailStart(storedBytes, tailBytes), storedBytes) }) : null;
  if (stored && run.logsCompleteAt) return stored();
  if (notStartedStates.has(run.state)) return { run, stream: null };
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
    const file = await logFileState(agent, runId);
    if (file) return { run, stream: fileLog({ prisma, agent, runId, follow, tailBytes, file, ended: run.finishedAt !== null, blobs: stored ? blobs : undefined, storedBytes }) };
    // An agent without log files: its engine's log is all there is.
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

/**
 * Waits for a run to start: `{ startedOn }` as soon as this process's dispatch announces that the
 * agent started it there (before the state commits), "in its row" when its state moves on
 * (announced or read), false when the wait is given up.
 */
async function waitForStartOrAgent({
  prisma,
  runId,
  waitForStart,
}: {
  prisma: PrismaClient;
  runId: string;
  waitForStart: { timeoutMs: number; abort?: AbortSignal };
}): Promise<{ startedOn: string } | "in its row" | false> {
  const heard = new AbortController();
  let startedOn: string | null = null;
  const stopListening = onRunStarted(runId, (hostId) => {
    startedOn = hostId;
    heard.abort();
  });
  const leave = () => heard.abort();
  waitForStart.abort?.addEventListener("abort", leave, { once: true });
  try {
    const reached = await waitForRunState({ prisma, runId, reached: (state) => !notStartedStates.has(state), timeoutMs: waitForStart.timeoutMs, abort: heard.signal });
    if (startedOn !== null) return { startedOn };
    return reached ? "in its row" : false;
  } finally {
    stopListening();
    waitForStart.abort?.removeEventListener("abort", leave);
  }
}

/**
 * The run's log from its agent's log file, whose bytes are the ones the blob store gets, at the
 * same offsets: what is shipped already is read from the blob store, the rest from the agent. A
 * follow, or the log of a run that has ended, goes on until the agent has the container's last
 * byte; a live run's log without follow ends where it stood when asked.
 */
function fileLog({
  prisma,
  agent,
  runId,
  follow,
  tailBytes,
  file,
  ended,
  blobs,
  storedBytes,
}: {
  prisma: PrismaClient;
  agent: LogFileAgent;
  runId: string;
  follow: boolean;
  tailBytes: number | undefined;
  file: { sizeBytes: number; complete: boolean };
  ended: boolean;
  blobs: BlobStore | undefined;
  storedBytes: number;
}): RunLogStream {
  const from = tailStart(file.sizeBytes, tailBytes);
  const shipped = blobs && storedBytes > from ? storedLog(blobs, runId, storedBytes, from, storedBytes) : null;
  const rest = readLogFile({
    agent,
    runId,
    from: Math.max(from, shipped ? storedBytes : 0),
    until: follow || ended || file.complete ? "complete" : file.sizeBytes,
    ended,
    ...(blobs
      ? {
          afterLoss: async (offset: number) => {
            const now = await prisma.run.findUnique({ where: { id: runId }, select: { logBytesStored: true, blobsExpiredAt: true } });
            const size = Number(now?.logBytesStored ?? 0);
            return now && !now.blobsExpiredAt && size > offset ? storedLog(blobs, runId, size, offset, size).chunks : null;
          },
        }
      : {}),
  });
  return {
    chunks: (async function* () {
      if (shipped) yield* shipped.chunks;
      yield* rest.chunks;
    })(),
    cancel: () => {
      shipped?.cancel();
      rest.cancel();
    },
  };
}

/** Bytes [start, end) of a run's shipped log as one stream. */
function storedLog(blobs: BlobStore, runId: string, sizeBytes: number, start: number, end: number): RunLogStream {
  const source = blobs.read(runLogKey(runId), sizeBytes, { start, end });
  return {
    chunks: (async function* () {
      for await (const data of source) yield { fd: "stdout" as const, data: data as Buffer };
    })(),
    cancel: () => source.destroy(),
  };
}

const tailStart = (sizeBytes: number, tailBytes: number | undefined) => (tailBytes === undefined ? 0 : Math.max(0, sizeBytes - tailBytes));

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
