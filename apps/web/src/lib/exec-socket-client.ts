// The browser-safe entry: the package's index also holds Node-only parts (node:net).
import { type ExecClientControl, type ExecClientStart, execDetachGraceSeconds, execOutputStream, execServerMessage } from "@bailey/protocol/exec-socket";

/**
 * The browser's side of the exec WebSocket (packages/protocol/src/exec-socket.ts): one session,
 * started once and resumed after every unexpected drop until it ends. A drop is anything that
 * closes the socket before the server said `exit` or `error`; the session then lives on the host
 * for execDetachGraceSeconds, so retries (0.5 s, 1, 2, 4 … 30 s) stop once that much time has
 * passed since the drop. A refusal (the run ended, the caller may not exec) stops them at once.
 */

/** What a socket-like object needs: the browser's WebSocket, or a fake in tests. */
export interface WebSocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const socketOpen = 1;

/** Why the server will not take the socket (the REST API's error, or what the page knows). */
export interface ExecRefusal {
  status?: number;
  code: string;
  message: string;
}

export type ExecSocketStatus =
  | { kind: "connecting" }
  | { kind: "open"; sessionId: string; resumed: boolean; lostBytes: number }
  | { kind: "reconnecting"; attempt: number; delayMs: number }
  | { kind: "ended"; exitCode: number | null; reason: "exited" | "closed" | "run-ended" }
  | { kind: "failed"; refusal: ExecRefusal };

export type ExecStart = Omit<Extract<ExecClientStart, { type: "start" }>, "type" | "cols" | "rows">;

export interface ExecSocketOptions {
  runId: string;
  /** The session to start: a command, or attach. */
  start: ExecStart;
  cols: number;
  rows: number;
  onOutput: (bytes: Uint8Array, stream: "stdout" | "stderr") => void;
  onStatus: (status: ExecSocketStatus) => void;
  /** Default: this page's origin, ws(s)://host/api/v1/runs/{id}/exec. */
  url?: string;
  createSocket?: (url: string) => WebSocketLike;
  /**
   * Asked after a socket failed before the session (re)started: a browser cannot read the
   * upgrade's HTTP status, so this finds out whether it was a refusal. null: retry.
   */
  probe?: () => Promise<ExecRefusal | null>;
  retryDelaysMs?: readonly number[];
  /** How long after a drop a resume can still work. */
  graceMs?: number;
}

export const execRetryDelaysMs = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000] as const;
/** Keystrokes typed while reconnecting are sent after the resume, up to this much. */
const maxQueuedInput = 64 * 1024;

export function execSocketUrl(runId: string, location: { protocol: string; host: string } = window.location): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/v1/runs/${encodeURIComponent(runId)}/exec`;
}

/**
 * The REST API's refusal for this run's exec endpoint, read with a plain GET: the upgrade's own
 * answer is invisible to a browser. Only statuses that mean "never" count (401, 403, 409): a
 * 404 may just be a server that answers only upgrades there.
 */
export async function probeExecRefusal(runId: string): Promise<ExecRefusal | null> {
  try {
    const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/exec`, { headers: { accept: "application/json" }, cache: "no-store" });
    if (![401, 403, 409].includes(response.status)) return null;
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!body?.error?.message) return null;
    return { status: response.status, code: body.error.code ?? String(response.status), message: body.error.message };
  } catch {
    return null;
  }
}

export class ExecSocketClient {
  private socket: WebSocketLike | null = null;
  private sessionId: string | null = null;
  /** Output bytes received so far: the offset a resume asks for. */
  private received = 0;
  /** Bytes of a replay the client already has (the server started before `received`). */
  private skip = 0;
  private started = false;
  private finished = false;
  private attempt = 0;
  private droppedAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private queued: Uint8Array[] = [];
  private queuedBytes = 0;
  private cols: number;
  private rows: number;
  private readonly encoder = new TextEncoder();

  constructor(private readonly options: ExecSocketOptions) {
    this.cols = options.cols;
    this.rows = options.rows;
  }

  get outputBytes(): number {
    return this.received;
  }

  get session(): string | null {
    return this.sessionId;
  }

  connect(): void {
    if (this.finished) return;
    this.started = false;
    const url = this.options.url ?? execSocketUrl(this.options.runId);
    let socket: WebSocketLike;
    try {
      socket = (this.options.createSocket ?? ((address: string) => new WebSocket(address) as unknown as WebSocketLike))(url);
    } catch {
      // A socket the browser will not even create (a refused address) fails like one that dropped,
      // rather than ending the retries with an exception in a timer.
      void this.onDrop(true);
      return;
    }
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    if (this.attempt === 0) this.options.onStatus({ kind: "connecting" });
    socket.onopen = () => {
      const first: ExecClientStart = this.sessionId
        ? { type: "resume", sessionId: this.sessionId, outputOffset: this.received, cols: this.cols, rows: this.rows }
        : { type: "start", ...this.options.start, cols: this.cols, rows: this.rows };
      socket.send(JSON.stringify(first));
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      if (typeof event.data === "string") this.onText(event.data);
      else if (event.data instanceof ArrayBuffer) this.onBinary(new Uint8Array(event.data));
    };
    socket.onerror = () => {};
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (this.finished) return;
      void this.onDrop(!this.started);
    };
  }

  /** Stdin: what the user typed or pasted. Queued while reconnecting, dropped once ended. */
  send(data: string | Uint8Array): void {
    if (this.finished) return;
    const bytes = typeof data === "string" ? this.encoder.encode(data) : data;
    if (bytes.length === 0) return;
    if (this.started && this.socket?.readyState === socketOpen) {
      this.socket.send(bytes);
      return;
    }
    if (this.queuedBytes + bytes.length > maxQueuedInput) return;
    this.queued.push(bytes);
    this.queuedBytes += bytes.length;
  }

  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    // While disconnected the resume carries the size.
    this.control({ type: "resize", cols, rows });
  }

  /** Closes the process's stdin. */
  eof(): void {
    this.control({ type: "eof" });
  }

  /** Ends the session on purpose (the server answers `exit` with reason "closed"). */
  close(): void {
    if (this.finished) return;
    if (this.started && this.socket?.readyState === socketOpen) {
      this.control({ type: "close" });
      // The server's exit ends it; a server that never answers is let go of after a while.
      const socket = this.socket;
      setTimeout(() => {
        if (this.socket === socket && !this.finished) this.end({ kind: "ended", exitCode: null, reason: "closed" });
      }, 5_000);
      return;
    }
    this.end({ kind: "ended", exitCode: null, reason: "closed" });
  }

  /** The page saw the run reach a final state: nothing is left to resume. */
  runEnded(): void {
    if (!this.finished) this.end({ kind: "ended", exitCode: null, reason: "run-ended" });
  }

  /** Lets go without ending the session (it detaches on the host; e.g. the page unmounts). */
  dispose(): void {
    this.finished = true;
    this.clearRetry();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "detached");
  }

  private control(message: ExecClientControl): void {
    if (this.started && this.socket?.readyState === socketOpen) this.socket.send(JSON.stringify(message));
  }

  private onText(text: string): void {
    let parsed: ReturnType<typeof execServerMessage.safeParse>;
    try {
      parsed = execServerMessage.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === "started") {
      const resumed = message.resumed;
      let lostBytes = 0;
      if (resumed) {
        // The replay starts where the server still has bytes: before ours (skip what we have) or after (some are gone).
        this.skip = Math.max(0, this.received - message.outputOffset);
        lostBytes = Math.max(0, message.outputOffset - this.received);
        this.received += lostBytes;
      } else {
        this.received = message.outputOffset;
        this.skip = 0;
      }
      this.sessionId = message.sessionId;
      this.started = true;
      this.attempt = 0;
      this.droppedAt = null;
      this.options.onStatus({ kind: "open", sessionId: message.sessionId, resumed, lostBytes });
      this.flushQueued();
    } else if (message.type === "exit") {
      this.end({ kind: "ended", exitCode: message.exitCode, reason: message.reason });
    } else {
      this.end({ kind: "failed", refusal: { code: message.code, message: message.message } });
    }
  }

  private onBinary(frame: Uint8Array): void {
    if (frame.length < 2) return;
    const stream = frame[0] === execOutputStream.stderr ? "stderr" : "stdout";
    let payload = frame.subarray(1);
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, payload.length);
      this.skip -= dropped;
      payload = payload.subarray(dropped);
      if (payload.length === 0) return;
    }
    this.received += payload.length;
    this.options.onOutput(payload, stream);
  }

  private flushQueued(): void {
    const queued = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    for (const bytes of queued) this.socket?.send(bytes);
  }

  private async onDrop(beforeStart: boolean): Promise<void> {
    this.droppedAt ??= Date.now();
    if (beforeStart && this.options.probe) {
      const refusal = await this.options.probe();
      if (this.finished) return;
      if (refusal) {
        this.end({ kind: "failed", refusal });
        return;
      }
    }
    const graceMs = this.options.graceMs ?? execDetachGraceSeconds * 1000;
    const elapsed = Date.now() - this.droppedAt;
    if (elapsed >= graceMs) {
      this.end({
        kind: "failed",
        refusal: {
          code: "DISCONNECTED",
          message: `The connection was lost for over ${Math.round(graceMs / 1000)} s, so the session has ended on the host. Start a new one.`,
        },
      });
      return;
    }
    const delays = this.options.retryDelaysMs ?? execRetryDelaysMs;
    const delayMs = Math.min(delays[Math.min(this.attempt, delays.length - 1)] ?? 1_000, Math.max(0, graceMs - elapsed));
    this.attempt += 1;
    this.options.onStatus({ kind: "reconnecting", attempt: this.attempt, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  /** Reconnect now instead of waiting out the backoff (e.g. the browser is back online). */
  retryNow(): void {
    if (!this.retryTimer || this.finished) return;
    this.clearRetry();
    this.connect();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private end(status: Extract<ExecSocketStatus, { kind: "ended" | "failed" }>): void {
    this.finished = true;
    this.clearRetry();
    this.queued = [];
    this.queuedBytes = 0;
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= socketOpen) socket.close(1000, "ended");
    this.options.onStatus(status);
  }
}
