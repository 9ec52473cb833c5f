import type { AgentConnection } from "@bailey/agent-client";
import { binaryChunksVersion, type RpcStream, RpcError, rpcErrorCodes, type StreamChunk } from "@bailey/protocol";

/**
 * What reading a run's log file asks of its host's agent (a fake in tests). With `openStream` and
 * `protocolVersion`, an agent of protocol version 2 or later streams it (`run.logs.stream`, binary
 * chunk frames); otherwise, or on an older agent, it is read piece by piece (`run.logs.read`).
 */
export type LogFileAgent = Pick<AgentConnection, "request"> & Partial<Pick<AgentConnection, "openStream" | "protocolVersion">>;

/** Bytes per run.logs.read: small enough that the first lines show at once, large enough that a big log is few round trips. */
const readBytes = 1024 * 1024;
/** How soon a follow asks again when the agent had nothing new: its log file commits every quarter second. */
const pollMs = 250;
/** An ended run whose log the agent still calls incomplete after this long without a new byte is served as it stands. */
const stallMs = 30_000;
/** Agent run states after which no more output comes. */
const endedAgentStates = new Set(["exited", "failed", "timed_out", "destroyed"]);

export interface LogFileRead {
  agent: LogFileAgent;
  runId: string;
  /** The first byte to serve. */
  from: number;
  /**
   * Where to stop: "complete" waits for the container to have stopped and its log to be drained
   * (a follow, or a run that has ended); a number stops there (a live run's log as it stands).
   */
  until: "complete" | number;
  /** Whether the run is known to have ended (a stall then ends the read without asking the agent). */
  ended: boolean;
  /** The bytes from `offset` on, when the agent no longer knows the run mid-read (it was destroyed): what the blob store holds. */
  afterLoss?: (offset: number) => Promise<AsyncIterable<StreamChunk> | null>;
}

/**
 * A run's output from its agent's log file (run.logs.read), which holds every byte since the
 * container started. The engine's own log is not that: it is rotated (10 MB × 3 of JSON by
 * default), so a long run's engine log has lost its start, and a follow opened on it late or at
 * the end misses what rotated away. Chunks are read as they are pulled, so a slow reader holds
 * back nothing but itself.
 */
export function readLogFile({ agent, runId, from, until, ended, afterLoss }: LogFileRead): { chunks: AsyncIterable<StreamChunk>; cancel(): void } {
  let cancelled = false;
  let streaming: RpcStream<unknown> | null = null;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  /**
   * One `run.logs.stream` call: the agent reads its file in large pieces and sends them as fast
   * as they are taken here (this generator is pulled by the HTTP response), nothing in between.
   */
  async function* streamed(openStream: NonNullable<LogFileAgent["openStream"]>): AsyncGenerator<StreamChunk> {
    let offset = from;
    try {
      const stream = await openStream("run.logs.stream", { runId, offset: from, ...(until === "complete" ? {} : { until }) });
      streaming = stream;
      if (cancelled) stream.cancel();
      for await (const chunk of stream) {
        offset += chunk.data.length;
        yield chunk;
      }
    } catch (error) {
      if (cancelled || !(error instanceof RpcError && error.code === rpcErrorCodes.runNotFound && afterLoss)) throw error;
      // Destroyed while being read: the destroy shipped the rest to the blob store first.
      const rest = await afterLoss(offset);
      if (rest) yield* rest;
    }
  }
  async function* chunks(): AsyncGenerator<StreamChunk> {
    if (agent.openStream && agent.protocolVersion && (await agent.protocolVersion()) >= binaryChunksVersion) {
      yield* streamed(agent.openStream.bind(agent));
      return;
    }
    let offset = from;
    // Since the last byte, or the last time the agent was asked whether the run has ended.
    let quietSince = Date.now();
    while (!cancelled && (until === "complete" || offset < until)) {
      const length = until === "complete" ? readBytes : Math.min(readBytes, until - offset);
      let answer: { data: string; sizeBytes: number; complete: boolean };
      try {
        answer = await agent.request("run.logs.read", { runId, offset, length }, { timeoutMs: 60_000 });
      } catch (error) {
        if (!(error instanceof RpcError && error.code === rpcErrorCodes.runNotFound && afterLoss)) throw error;
        // Destroyed while being read: the destroy shipped the rest to the blob store first.
        const rest = await afterLoss(offset);
        if (rest) yield* rest;
        return;
      }
      const data = Buffer.from(answer.data, "base64");
      if (data.length) {
        offset += data.length;
        quietSince = Date.now();
        yield { fd: "stdout", data };
        continue;
      }
      if (answer.complete && offset >= answer.sizeBytes) return;
      // A live run's log as it stands ends at its current end.
      if (until !== "complete") return;
      if (Date.now() - quietSince >= stallMs) {
        if (ended || (await agentSaysEnded(agent, runId))) return;
        quietSince = Date.now();
      }
      await pause(pollMs);
    }
  }
  return {
    chunks: chunks(),
    cancel: () => {
      cancelled = true;
      (streaming as RpcStream<unknown> | null)?.cancel();
      wake?.();
    },
  };
}

async function agentSaysEnded(agent: LogFileAgent, runId: string): Promise<boolean> {
  const run = await agent.request("run.inspect", { runId }, { timeoutMs: 15_000 });
  return endedAgentStates.has(run.state);
}

/**
 * The size of the run's log file on its agent and whether it is complete, or null when the agent
 * keeps no log files (started without a state directory, or from before them): its engine's log is
 * all there is. Throws runNotFound for a run the agent does not know.
 */
export async function logFileState(agent: LogFileAgent, runId: string): Promise<{ sizeBytes: number; complete: boolean } | null> {
  try {
    const { sizeBytes, complete } = await agent.request("run.logs.read", { runId, offset: 0, length: 1 }, { timeoutMs: 15_000 });
    return { sizeBytes, complete };
  } catch (error) {
    if (error instanceof RpcError && (error.code === rpcErrorCodes.unsupportedFeature || error.code === rpcErrorCodes.methodNotFound)) return null;
    throw error;
  }
}
