import { type ExecEnd, type HandlerContext, RpcError, rpcErrorCodes } from "@bailey/protocol";
import type { ExecSession as RuntimeExecSession, InteractiveStream } from "@bailey/runtime";
import { ReplayBuffer } from "./replay-buffer";

/** What a session's connection is: a process it started (exec), or the run's main process (attach). */
export type SessionStream = { kind: "exec"; stream: RuntimeExecSession } | { kind: "attach"; stream: InteractiveStream };

export interface ExecSessionOptions {
  sessionId: string;
  runId: string;
  /** Whether it has a terminal, and whether exec.input may write to it (final once connected). */
  shape: { tty: boolean; stdin: boolean };
  replayBufferBytes: number;
  detachGraceMs: number;
  /** After the stream's output ended (not closed on purpose): whether the run's container still runs. */
  containerRunning(): Promise<{ running: boolean; exitCode: number | null }>;
  /** Called once the session is over for good: its end was delivered, or its grace period passed. */
  onForget(): void;
  log?: (line: string) => void;
}

/** The most output sent to the caller in one chunk. */
const maxPieceBytes = 256 * 1024;

/**
 * One interactive session: its connection to the process, the last output for a resume, and
 * at most one caller (an `exec.open` call) that its output streams to. Without a caller the
 * process keeps running (its output is read on, keeping the newest `replayBufferBytes`) for
 * `detachGraceMs`; then it is killed (exec) or let go (attach).
 */
export class ExecSession {
  readonly buffer: ReplayBuffer;
  private connection: SessionStream | null = null;
  private readonly opened: Promise<SessionStream>;
  private resolveOpened: (stream: SessionStream) => void = () => undefined;
  private rejectOpened: (error: Error) => void = () => undefined;
  private consumer: { cursor: number; takenOver: boolean } | null = null;
  private waiters: (() => void)[] = [];
  private graceTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private forgotten = false;
  /** Set once the process (or attach) has ended and how is known. */
  end: ExecEnd | null = null;

  constructor(private readonly options: ExecSessionOptions) {
    this.buffer = new ReplayBuffer(options.replayBufferBytes);
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    this.opened.catch(() => undefined);
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get runId(): string {
    return this.options.runId;
  }

  get kind(): SessionStream["kind"] | null {
    return this.connection?.kind ?? null;
  }

  /** Starts reading the process's output; until then input and resize wait for it. */
  connect(connection: SessionStream): void {
    this.connection = connection;
    this.resolveOpened(connection);
    void this.read(connection);
  }

  /** The engine refused to start it: whoever waits for the stream learns why. */
  fail(error: Error): void {
    this.rejectOpened(error);
    this.forget();
  }

  /**
   * Streams the output from `fromOffset` (what the caller has) to the caller until the session
   * ends, then answers how it ended. A caller already attached is taken over: its call fails
   * with a conflict that says so. Cancelling the call detaches.
   */
  async stream(ctx: Pick<HandlerContext, "signal" | "write">, fromOffset: number): Promise<ExecEnd> {
    if (this.consumer) this.consumer.takenOver = true;
    this.disarmGrace();
    const consumer = { cursor: Math.max(fromOffset, this.buffer.oldest), takenOver: false };
    this.consumer = consumer;
    this.wake();
    const onAbort = () => this.wake();
    ctx.signal.addEventListener("abort", onAbort);
    try {
      for (;;) {
        if (consumer.takenOver) {
          throw new RpcError(rpcErrorCodes.conflict, `Exec session ${this.sessionId} was resumed by another caller; this stream of it ended.`, {
            sessionId: this.sessionId,
            reason: "taken-over",
          });
        }
        if (ctx.signal.aborted) {
          this.detach(consumer);
          throw new RpcError(rpcErrorCodes.timeout, `Exec session ${this.sessionId} was detached; resume it within ${this.options.detachGraceMs / 1000} s.`);
        }
        const piece = this.buffer.readFrom(consumer.cursor, maxPieceBytes);
        if (piece) {
          await ctx.write({ fd: piece.fd, data: piece.data });
          if (ctx.signal.aborted || consumer.takenOver) continue;
          consumer.cursor = piece.start + piece.data.length;
          this.wake(); // the reader may be waiting for room
          continue;
        }
        if (this.end) {
          this.consumer = null;
          this.forget();
          return this.end;
        }
        await this.changed();
      }
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Writes to the process's stdin (resolving once the engine took the bytes), then closes it when `eof`. */
  async input(data: Buffer, eof: boolean): Promise<number> {
    await this.opened.catch(() => undefined);
    if (!this.options.shape.stdin) {
      throw new RpcError(
        rpcErrorCodes.conflict,
        this.connection?.kind === "attach"
          ? `Exec session ${this.sessionId} is attached to run ${this.runId}'s main process, which has no terminal (the run was not created with tty: true), so it takes no input.`
          : `Exec session ${this.sessionId} was opened without stdin; open it with stdin: true (or tty: true) to send input.`,
        { sessionId: this.sessionId, reason: "no-stdin" },
      );
    }
    const { stream } = await this.opened;
    if (this.end || this.closing) throw this.endedError();
    if (data.length) await stream.write(data).catch((error: Error) => this.rethrowWriteError(error));
    if (eof) await stream.endInput();
    return data.length;
  }

  /** Sets the terminal's size; nothing to do for a session without one. */
  async resize(cols: number, rows: number): Promise<void> {
    const { stream } = await this.opened;
    if (!this.options.shape.tty) return;
    if (this.end) return;
    await stream.resize(cols, rows);
  }

  /** Ends it on purpose: kills an exec'd process, lets go of an attach. False when it had ended already. */
  async close(): Promise<boolean> {
    if (this.end || this.closing) return false;
    this.closing = true;
    const connection = await this.opened.catch(() => null);
    if (!connection) return false;
    if (connection.kind === "exec") {
      await connection.stream.kill().catch((error: Error) => this.options.log?.(`exec session ${this.sessionId}: killing its process failed (${error.message}); its connection is closed`));
    }
    connection.stream.close();
    return true;
  }

  /** The agent is stopping: kill what it started, let go of the rest (bounded: it must not hold the shutdown). */
  async shutdown(): Promise<void> {
    this.disarmGrace();
    await Promise.race([this.close(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    this.forget();
  }

  private async read(connection: SessionStream): Promise<void> {
    try {
      for await (const chunk of connection.stream.output) {
        this.buffer.append(chunk.stream, chunk.data);
        this.buffer.trim(this.consumer?.cursor);
        this.wake();
        await this.room();
      }
    } catch (error) {
      if (!this.closing) this.options.log?.(`exec session ${this.sessionId}: its output broke off (${(error as Error).message})`);
    }
    this.end = await this.howItEnded(connection);
    connection.stream.close();
    this.wake();
    // Ended while nobody listens: kept for a resume until the grace period passes.
    if (!this.consumer) this.armGrace();
  }

  private async howItEnded(connection: SessionStream): Promise<ExecEnd> {
    const outputBytes = this.buffer.end;
    const base = { sessionId: this.sessionId, outputBytes };
    const exitCode = connection.kind === "exec" ? await connection.stream.exitCode().catch(() => null) : null;
    if (this.closing) return { ...base, exitCode, reason: "closed" };
    // A stopping container kills its execs a moment before the engine reports it stopped.
    let container = await this.options.containerRunning().catch(() => ({ running: false, exitCode: null }));
    for (let i = 0; i < 10 && container.running && (connection.kind === "attach" || exitCode === null || exitCode >= 128); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      container = await this.options.containerRunning().catch(() => ({ running: false, exitCode: null }));
    }
    if (!container.running) return { ...base, exitCode: connection.kind === "exec" ? exitCode : container.exitCode, reason: "run-ended" };
    return { ...base, exitCode, reason: "exited" };
  }

  /** While a caller is attached, the output is read no further ahead of it than the replay buffer holds. */
  private async room(): Promise<void> {
    while (this.consumer && !this.closing && this.buffer.end - this.consumer.cursor >= this.options.replayBufferBytes) await this.changed();
  }

  private detach(consumer: { cursor: number }): void {
    if (this.consumer !== consumer) return;
    this.consumer = null;
    this.buffer.trim();
    this.wake();
    this.armGrace();
  }

  private armGrace(): void {
    this.disarmGrace();
    this.graceTimer = setTimeout(() => void this.expire(), this.options.detachGraceMs);
    this.graceTimer.unref();
  }

  private disarmGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private async expire(): Promise<void> {
    this.graceTimer = null;
    if (this.consumer) return;
    if (!this.end) {
      this.options.log?.(`exec session ${this.sessionId} (run ${this.runId}): nobody resumed it within ${this.options.detachGraceMs / 1000} s; ending it`);
      await this.close();
    }
    this.forget();
  }

  private forget(): void {
    if (this.forgotten) return;
    this.forgotten = true;
    this.disarmGrace();
    this.options.onForget();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private endedError(): RpcError {
    return new RpcError(rpcErrorCodes.conflict, `Exec session ${this.sessionId} has ended; its process takes no more input.`, { sessionId: this.sessionId, reason: "ended" });
  }

  private rethrowWriteError(error: Error): never {
    if (this.end || this.closing) throw this.endedError();
    throw new RpcError(rpcErrorCodes.conflict, `Writing to exec session ${this.sessionId} failed: ${error.message}`, { sessionId: this.sessionId, reason: "write-failed" });
  }
}
