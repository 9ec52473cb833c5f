import type { AgentRun, HandlerContext, Params, Result } from "@bailey/protocol";
import type { LogCommitWatch } from "./run-log-file";

/** Bytes per read of the log file: few reads and few frames for a big log, still one frame each (the protocol splits at 1 MiB). */
export const streamReadBytes = 1024 * 1024;
/** How soon a follow looks again when the file had nothing new and no commit woke it (a build log grows without commits). */
const pollMs = 250;
/** A run that has ended but whose log is still not complete after this long without a new byte is served as it stands. */
const stallMs = 30_000;
const endedStates = new Set<AgentRun["state"]>(["exited", "failed", "timed_out", "destroyed"]);

export interface LogFileSource {
  readLog(runId: string, offset: number, length: number): Promise<{ data: Buffer; sizeBytes: number; complete: boolean }>;
  inspect(runId: string): AgentRun;
  /** Watches for the run's next log commit; absent: the stream polls. */
  watchLogCommit?(runId: string): LogCommitWatch | null;
}

/**
 * `run.logs.stream`: the run's log file from `offset`, one large read at a time. Each read
 * waits for the previous piece to be taken by the connection (`ctx.write` waits while it is
 * congested), so however slow the reader, the agent holds one piece of the log, not the log.
 */
export async function streamLogFile(runs: LogFileSource, { runId, offset, until }: Params<"run.logs.stream">, ctx: HandlerContext): Promise<Result<"run.logs.stream">> {
  let at = offset;
  let sizeBytes = 0;
  let complete = false;
  let quietSince = Date.now();
  while (!ctx.signal.aborted) {
    const length = until === undefined ? streamReadBytes : Math.min(streamReadBytes, until - at);
    if (length <= 0) break;
    // Watching before reading: a commit between the read and the wait still wakes it.
    const commit = until === undefined ? (runs.watchLogCommit?.(runId) ?? null) : null;
    const read = await runs.readLog(runId, at, length).catch((error: unknown) => {
      commit?.cancel();
      throw error;
    });
    if (read.data.length || (read.complete && at >= read.sizeBytes)) commit?.cancel();
    sizeBytes = read.sizeBytes;
    complete = read.complete;
    if (read.data.length) {
      at += read.data.length;
      quietSince = Date.now();
      await ctx.write({ fd: "stdout", data: read.data });
      continue;
    }
    if (complete && at >= sizeBytes) break;
    // Up to `until`, or the log as it stands: it ends at its current end.
    if (until !== undefined) break;
    if (Date.now() - quietSince >= stallMs) {
      if (endedStates.has(runs.inspect(runId).state)) {
        commit?.cancel();
        break;
      }
      quietSince = Date.now();
    }
    if (commit) await commit.wait(pollMs, ctx.signal);
    else await pause(pollMs, ctx.signal);
  }
  return { bytes: at - offset, sizeBytes, complete };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
