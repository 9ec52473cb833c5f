import { constants } from "node:fs";
import { mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ContainerNotFoundError, type InteractiveStream, type LogChunk, type LogPosition, type Runtime } from "@bailey/runtime";
import { writeFileAtomic } from "../journal/atomic-write";

/**
 * How far a run's log file is known good: its first `bytes` bytes are the container's output up
 * to the engine's `position` (null on engines or TTY runs without log timestamps), and
 * `complete` once the container has stopped and its log was read to the end. Bytes past `bytes`
 * (written before a crash, not yet committed) are cut off when the follow resumes. `streams`: how
 * many of those bytes are stdout and how many stderr, to resume without a position: the engine's
 * log then starts at its beginning, and may interleave the two streams unlike the file did.
 */
interface RunLogState {
  bytes: number;
  position: LogPosition | null;
  complete: boolean;
  streams?: { stdout: number; stderr: number };
}

const emptyState: RunLogState = { bytes: 0, position: null, complete: false, streams: { stdout: 0, stderr: 0 } };

/**
 * How often a follow commits what it wrote (at most): each commit is a small atomic file write and
 * an fsync. The first bytes after a quiet spell are committed at once (a run's first line reaches a
 * follower in milliseconds), what comes within the next quarter second with the commit after it.
 */
const commitEveryMs = 250;
const commitEveryBytes = 4 * 1024 * 1024;
/** A follow the engine broke off (the engine restarted, a socket error) is opened again after this long. */
const retryAfterMs = 1000;

export interface LogCommitWatch {
  wait(withinMs: number, signal?: AbortSignal): Promise<void>;
  cancel(): void;
}

interface Follow {
  stop(): void;
  /** Settles once the follow has ended, whatever ended it. */
  done: Promise<void>;
}

/**
 * Each run's output, appended to `run-logs/<runId>.log` in the agent's state directory as the
 * engine gives it (stdout and stderr interleaved, no framing), from the container's start until it
 * has stopped and its log is drained; the control plane reads it with `run.logs.read` and ships
 * it, so a run's log outlives its container and its host. Memory stays flat: chunks go straight
 * to the file.
 */
export class RunLogFiles {
  private readonly follows = new Map<string, Follow>();
  /** Who waits for a run's next commit (run.logs.stream), woken instead of polling. */
  private readonly commitWaiters = new Map<string, Set<() => void>>();

  constructor(
    readonly dir: string,
    private readonly runtime: Runtime,
    private readonly log?: (line: string) => void,
  ) {}

  static inStateDir(stateDir: string, runtime: Runtime, log?: (line: string) => void): RunLogFiles {
    return new RunLogFiles(path.join(stateDir, "run-logs"), runtime, log);
  }

  fileOf(runId: string): string {
    return path.join(this.dir, `${runId}.log`);
  }

  private stateFileOf(runId: string): string {
    return path.join(this.dir, `${runId}.state.json`);
  }

  /**
   * Follows the container's log into the run's file, picking up where the file's committed state
   * says (after an agent restart: no byte twice, none lost). Does nothing for a log already complete
   * or already followed.
   *
   * `attached`: a connection to the container's output opened before it started, read rather
   * than the engine's log while it lasts. The engine holds the container's writes back while it
   * is not read, so every byte reaches the file however fast the container writes. The engine's
   * log has no such hold: it is rotated (BAILEY_LOG_MAX_SIZE × BAILEY_LOG_MAX_FILES, 10 MB × 3 of
   * JSON by default, ~70 bytes a short line), and Docker's follower, once a file behind a fast
   * writer (a million lines in two seconds), skips what rotated away. It is read after an agent
   * restart, or when the connection breaks, from where the file stands.
   */
  follow(runId: string, containerId: string, attached?: InteractiveStream): void {
    if (this.follows.has(runId)) {
      attached?.close();
      return;
    }
    let unread = attached ?? null;
    let stopped = false;
    let current: { destroy(): void } | null = null;
    let wake: (() => void) | null = null;
    const done = (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      while (!stopped) {
        try {
          // The connection serves one follow: after it, the engine's log.
          const connection = unread;
          unread = null;
          const finished = await this.followOnce(
            runId,
            containerId,
            () => stopped,
            (stream) => (current = stream),
            connection,
          );
          if (finished) return;
        } catch (error) {
          if (stopped) return;
          if (error instanceof ContainerNotFoundError) {
            // Its container is gone (removed behind the agent's back): what the file holds is all there will be.
            this.log?.(`run ${runId}: its container is gone, so its log ends at what was written`);
            await this.commit(runId, { ...(await this.state(runId)), complete: true });
            return;
          }
          this.log?.(`run ${runId}: following its log failed (${(error as Error).message}); trying again`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, retryAfterMs);
        });
      }
    })()
      .catch((error: Error) => this.log?.(`run ${runId}: its log file cannot be written (${error.message}); run.logs.read serves what it holds`))
      .finally(() => {
        unread?.close();
        if (this.follows.get(runId)?.done === done) this.follows.delete(runId);
      });
    this.follows.set(runId, {
      stop: () => {
        stopped = true;
        current?.destroy();
        wake?.();
      },
      done,
    });
  }

  /** One follow of the engine's log from the committed state; true once the log is complete. */
  private async followOnce(runId: string, containerId: string, stopped: () => boolean, opened: (stream: { destroy(): void }) => void, attached: InteractiveStream | null): Promise<boolean> {
    const state = await this.state(runId);
    // The connection has the output from the container's start: only for a file with nothing in it yet.
    const fromStart = attached && state.bytes === 0 && !state.complete ? attached : null;
    if (attached && !fromStart) attached.close();
    if (state.complete) return true;
    // Not O_APPEND: writes go at the committed end, which the truncate below makes the file's end.
    const file = await open(this.fileOf(runId), constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      // What a crash left past the last commit is written again from the engine's log.
      await file.truncate(state.bytes);
      const stream: AsyncIterable<LogChunk> & { destroy(): void } = fromStart
        ? { [Symbol.asyncIterator]: () => fromStart.output[Symbol.asyncIterator](), destroy: () => fromStart.close() }
        : await this.runtime.logs(containerId, { follow: true, ...(state.position ? { after: state.position } : {}) });
      opened(stream);
      if (stopped()) stream.destroy();
      // Without engine timestamps the follow starts at the log's beginning: the bytes the file has
      // are skipped, each stream's own (a file from before the counts: its bytes in all).
      const skip = state.position || fromStart ? null : state.streams ? { ...state.streams } : null;
      let skipAny = state.position || fromStart || state.streams ? 0 : state.bytes;
      const streams = { ...(state.streams ?? { stdout: 0, stderr: 0 }) };
      let written = state.bytes;
      let position = state.position;
      let committedBytes = state.bytes;
      // Commits run one after another (they share a temporary file), each of what was written when it was asked for.
      let commits: Promise<void> = Promise.resolve();
      let timer: NodeJS.Timeout | null = null;
      let lastCommitAt = Number.NEGATIVE_INFINITY;
      const commitNow = (complete: boolean) => {
        if (timer) clearTimeout(timer);
        timer = null;
        lastCommitAt = Date.now();
        const snapshot = { bytes: written, position, complete, streams: { ...streams } };
        commits = commits.then(async () => {
          await file.datasync();
          await this.commit(runId, snapshot);
          committedBytes = Math.max(committedBytes, snapshot.bytes);
        });
        return commits;
      };
      try {
        for await (const chunk of stream) {
          let data = chunk.data;
          if (skip && skip[chunk.stream] > 0) {
            const skipped = Math.min(skip[chunk.stream], data.length);
            skip[chunk.stream] -= skipped;
            data = data.subarray(skipped);
          }
          if (skipAny > 0) {
            const skipped = Math.min(skipAny, data.length);
            skipAny -= skipped;
            data = data.subarray(skipped);
          }
          if (data.length) {
            await file.write(data, 0, data.length, written);
            written += data.length;
            streams[chunk.stream] += data.length;
          }
          if (chunk.position) position = chunk.position;
          // A quiet run's last lines are committed a moment later, not when (if ever) the next ones come.
          if (written - committedBytes >= commitEveryBytes) await commitNow(false);
          else if (!timer && written > committedBytes) {
            const sinceLast = Date.now() - lastCommitAt;
            if (sinceLast >= commitEveryMs) void commitNow(false).catch(() => undefined);
            else timer = setTimeout(() => void commitNow(false).catch(() => undefined), commitEveryMs - sinceLast);
          }
        }
      } finally {
        if (timer) clearTimeout(timer);
        stream.destroy();
        await commits.catch(() => undefined);
      }
      // Ended because the reader stopped (the agent is closing, the run is destroyed): not the log's end.
      await commitNow(!stopped());
      return !stopped();
    } finally {
      await file.close();
    }
  }

  /** Stops following (the file and its state stay, for the next agent to pick up). */
  async stop(runId: string): Promise<void> {
    const follow = this.follows.get(runId);
    if (!follow) return;
    follow.stop();
    await follow.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.follows.keys()].map((runId) => this.stop(runId)));
  }

  /** Waits until the run's follow has ended (the container stopped and its log was drained, or the follow was stopped). */
  async drained(runId: string): Promise<void> {
    await this.follows.get(runId)?.done;
  }

  /** The committed length of the container's output in the file, and whether it is all there. */
  async state(runId: string): Promise<RunLogState> {
    const text = await readFile(this.stateFileOf(runId), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    return text ? (JSON.parse(text) as RunLogState) : { ...emptyState };
  }

  private async commit(runId: string, state: RunLogState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.stateFileOf(runId), JSON.stringify(state));
    for (const wake of [...(this.commitWaiters.get(runId) ?? [])]) wake();
  }

  /**
   * Watches for the run's next commit from now on: `wait` resolves at once if one came since, else
   * at the commit, after `withinMs` or on abort. `cancel` when no longer needed.
   */
  watchCommit(runId: string): LogCommitWatch {
    let committed = false;
    let wake: (() => void) | null = null;
    const waiters = this.commitWaiters.get(runId) ?? new Set<() => void>();
    this.commitWaiters.set(runId, waiters);
    const onCommit = () => {
      committed = true;
      wake?.();
    };
    waiters.add(onCommit);
    const cancel = () => {
      waiters.delete(onCommit);
      if (!waiters.size && this.commitWaiters.get(runId) === waiters) this.commitWaiters.delete(runId);
    };
    return {
      cancel,
      wait: (withinMs, signal) =>
        new Promise<void>((resolve) => {
          if (committed || signal?.aborted) return resolve(cancel());
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            cancel();
            resolve();
          };
          const timer = setTimeout(done, withinMs);
          signal?.addEventListener("abort", done, { once: true });
          wake = done;
        }),
    };
  }

  /**
   * Bytes [offset, offset + length) of the run's log: its build output (`buildLog`, a file that
   * no longer grows once the container exists) and then the container's committed output.
   * `container`: "never" when the run ended without its container starting (a failed build or
   * pull: the build output is all of its log), "not-yet" while it provisions.
   */
  async read(
    runId: string,
    { offset, length, buildLog, container }: { offset: number; length: number; buildLog: string | null; container: "started" | "not-yet" | "never" },
  ): Promise<{ data: Buffer; sizeBytes: number; complete: boolean }> {
    const buildBytes = buildLog ? ((await stat(buildLog).catch(() => null))?.size ?? 0) : 0;
    const state = container === "started" ? await this.state(runId) : null;
    const sizeBytes = buildBytes + (state?.bytes ?? 0);
    const end = Math.min(sizeBytes, offset + length);
    const parts: Buffer[] = [];
    if (buildLog && offset < buildBytes) parts.push(await readRange(buildLog, offset, Math.min(end, buildBytes)));
    if (state && end > buildBytes) parts.push(await readRange(this.fileOf(runId), Math.max(0, offset - buildBytes), end - buildBytes));
    return { data: Buffer.concat(parts), sizeBytes, complete: state ? state.complete : container === "never" };
  }

  /** Stops following and removes the run's file and its state; whether there was a file. */
  async remove(runId: string): Promise<boolean> {
    await this.stop(runId);
    const existed = (await stat(this.fileOf(runId)).catch(() => null)) !== null;
    await rm(this.fileOf(runId), { force: true });
    await rm(this.stateFileOf(runId), { force: true });
    return existed;
  }

  async runIds(): Promise<string[]> {
    return (await readdir(this.dir).catch(() => [] as string[])).filter((name) => name.endsWith(".log")).map((name) => name.slice(0, -".log".length));
  }
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const handle = await open(file, "r");
  try {
    const data = Buffer.alloc(end - start);
    let read = 0;
    while (read < data.length) {
      const { bytesRead } = await handle.read(data, read, data.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return data.subarray(0, read);
  } finally {
    await handle.close();
  }
}
