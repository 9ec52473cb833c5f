import type { Duplex } from "node:stream";
import type { z } from "zod";
import { describeIssues, RpcError, rpcErrorCodes, toRpcError } from "./errors";
import { type BinaryChunkFrame, encodeChunkFrameHeader, encodeFrameWithin, type Frame, FrameDecoder, maxFrameBytes } from "./framing";
import { cancelMethod, classify, streamChunkMethod, type RpcRequest } from "./jsonrpc";
import { isMethodName, methods, type MethodName, type Params, type ParamsInput, type Result } from "./method-map";
import { ChunkQueue, type RpcStream, type StreamChunk } from "./stream";
import { agreedVersion, binaryChunksVersion, checkHelloVersion, minProtocolVersion, protocolVersion } from "./version";

export interface HandlerContext {
  /** Aborted when the caller cancels (`$/cancel`, a timeout on its side) or the connection closes. */
  signal: AbortSignal;
  /** The method being served. */
  method: MethodName;
  /**
   * The protocol version of this connection; while serving `agent.hello`, the version it is
   * agreeing on (the newest both sides speak), which the hello's result must carry. Always set
   * by RpcPeer (optional only for handlers called directly, e.g. in tests).
   */
  protocolVersion?: number;
  /**
   * Streams a chunk to the caller ahead of the result. Waits while the connection is
   * congested (the caller is not reading), so a producer that awaits it never outruns its
   * consumer. Resolves at once, sending nothing, after the call was cancelled.
   */
  write(chunk: StreamChunk): Promise<void>;
}

export type Handler<M extends MethodName> = (params: Params<M>, ctx: HandlerContext) => Promise<Result<M>>;
export type Handlers = { [M in MethodName]?: Handler<M> };

export interface RequestOptions {
  /** Rejects with -32004 after this long; 0 waits for ever. Default: the peer's `defaultTimeoutMs` (30 s). */
  timeoutMs?: number;
  /** Aborting rejects with -32004 and asks the other side to stop (`$/cancel`). */
  signal?: AbortSignal;
  /** Receives the call's stream chunks as they arrive (no buffering; see `openStream` for an iterator). */
  onChunk?: (chunk: StreamChunk) => void;
}

export interface OpenStreamOptions {
  /** Default 0: a followed log may run for ever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RpcPeerOptions {
  /** For requests that give no `timeoutMs`. Default 30 000. */
  defaultTimeoutMs?: number;
  /** Largest frame accepted or sent. Default 16 MiB. */
  maxFrameBytes?: number;
  /** Check results against the method's schema before sending them. Default true. */
  validateResults?: boolean;
  /** Sees every failure of a local handler (the caller only gets the safe RpcError), e.g. to log it. */
  onHandlerError?: (method: string, error: unknown) => void;
  /**
   * The newest protocol version this side speaks (default `protocolVersion`). Held back only to
   * stand in for an older release: an agent started with 1 behaves on the wire as a version-1 agent.
   */
  protocolVersion?: number;
}

interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onChunk?: ((chunk: StreamChunk) => void) | undefined;
  cleanup(): void;
}

const defaultTimeoutMs = 30_000;
/** Stream chunks are split to at most this many bytes, so a chunk always fits a frame. */
const maxChunkBytes = 1024 * 1024;
/**
 * Flow control: stream chunks received but not yet consumed are counted per connection.
 * Above `pauseAboveBytes` the connection stops reading (the transport's own window then
 * stops the sender, whose `ctx.write` waits for drain); below `resumeBelowBytes` it reads
 * again. Simple and bounded; the cost is that one slow stream consumer delays the other
 * calls on its connection until it catches up.
 */
export const pauseAboveBytes = 8 * 1024 * 1024;
export const resumeBelowBytes = 1024 * 1024;

const closedByUs = () => new RpcError(rpcErrorCodes.connectionClosed, "The connection was closed by this side.");

/**
 * One end of a JSON-RPC 2.0 connection over any byte stream (Unix socket, SSH channel,
 * stdio). Either end may call and serve; many calls and streams share the connection,
 * matched by id. A stream is a call whose handler writes chunks before its result.
 * No call ever hangs: it times out, is cancelled, or fails when the connection closes.
 */
export class RpcPeer {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<string, AbortController>();
  private readonly options: Required<Omit<RpcPeerOptions, "onHandlerError">> & Pick<RpcPeerOptions, "onHandlerError">;
  /** Agreed in `agent.hello`; until then the oldest, so nothing is sent a peer might not read. */
  private version = minProtocolVersion;
  private nextId = 1;
  private closedError: RpcError | null = null;
  private bufferedStreamBytes = 0;
  private pausedForFlowControl = false;
  private writable: Promise<void> | null = null;
  private markClosed: () => void = () => undefined;
  /** Resolves once the connection is closed (for any reason). */
  readonly closed: Promise<void>;

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: Handlers = {},
    options: RpcPeerOptions = {},
  ) {
    this.options = {
      defaultTimeoutMs: options.defaultTimeoutMs ?? defaultTimeoutMs,
      maxFrameBytes: options.maxFrameBytes ?? maxFrameBytes,
      validateResults: options.validateResults ?? true,
      onHandlerError: options.onHandlerError,
      protocolVersion: options.protocolVersion ?? protocolVersion,
    };
    if (this.options.protocolVersion < minProtocolVersion || this.options.protocolVersion > protocolVersion)
      throw new RangeError(`protocolVersion ${this.options.protocolVersion} is not one this release speaks (${minProtocolVersion} to ${protocolVersion}).`);
    this.decoder = new FrameDecoder(this.options.maxFrameBytes);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    // The peer will send nothing more, so no answer can come: treat a half-close as a close.
    stream.once("end", () => {
      this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, "The peer closed the connection."));
      stream.end();
    });
    stream.once("close", () => this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, "The connection to the peer closed.")));
    stream.on("error", (error) => this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, `The connection failed: ${error.message}`)));
    if (stream.destroyed) this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, "The connection was already closed."));
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /** The protocol version agreed in `agent.hello` (the oldest until then). */
  get protocolVersion(): number {
    return this.version;
  }

  /** The newest version this side speaks, which it offers in `agent.hello`. */
  get newestVersion(): number {
    return this.options.protocolVersion;
  }

  /** Calls `method`; resolves with its typed result or rejects with an RpcError. */
  request<M extends MethodName>(method: M, params: ParamsInput<M>, options: RequestOptions = {}): Promise<Result<M>> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (options.signal?.aborted) return Promise.reject(new RpcError(rpcErrorCodes.timeout, `${method} was cancelled before it was sent.`));
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
      const fail = (error: RpcError) => {
        if (!this.settle(id)) return;
        this.trySend({ jsonrpc: "2.0", method: cancelMethod, params: { id } });
        reject(error);
      };
      const timer = timeoutMs > 0 ? setTimeout(() => fail(new RpcError(rpcErrorCodes.timeout, `${method} got no answer within ${timeoutMs} ms.`, { timeoutMs })), timeoutMs) : undefined;
      const onAbort = () => fail(new RpcError(rpcErrorCodes.timeout, `${method} was cancelled.`));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        method,
        resolve: (value) => resolve(value as Result<M>),
        reject,
        onChunk: options.onChunk,
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      });
      try {
        this.send({ jsonrpc: "2.0", id, method, params });
      } catch (error) {
        this.settle(id);
        reject(error instanceof RpcError ? error : new RpcError(rpcErrorCodes.invalidParams, `${method} could not be sent: ${(error as Error).message}`));
      }
    });
  }

  /**
   * A streaming call: iterate the chunks as they come (or `chunks`), then read `result`.
   * `cancel()`, a `break` out of the loop, or `signal` stops the producer on the other side.
   * Chunks not yet consumed count against the connection's flow-control budget.
   */
  openStream<M extends MethodName>(method: M, params: ParamsInput<M>, options: OpenStreamOptions = {}): RpcStream<Result<M>> {
    const controller = new AbortController();
    const queue = new ChunkQueue((delta) => this.account(delta));
    const cancel = () => {
      queue.discard();
      controller.abort();
    };
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener("abort", cancel, { once: true });
    const result = this.request(method, params, { timeoutMs: options.timeoutMs ?? 0, signal: controller.signal, onChunk: (chunk) => queue.push(chunk) });
    result.then(
      () => queue.end(),
      (error: Error) => queue.end(controller.signal.aborted ? null : error),
    );
    result.catch(() => undefined).finally(() => options.signal?.removeEventListener("abort", cancel));
    const chunks: AsyncIterable<StreamChunk> = { [Symbol.asyncIterator]: () => queue.iterate(cancel) };
    return { chunks, result, cancel, [Symbol.asyncIterator]: () => queue.iterate(cancel) };
  }

  /** Rejects every pending call, aborts every running handler, and closes the stream. */
  close(): void {
    this.shutdown(closedByUs());
    this.stream.end();
    this.stream.destroy();
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    pending.cleanup();
    return pending;
  }

  private account(delta: number): void {
    this.bufferedStreamBytes += delta;
    if (!this.pausedForFlowControl && this.bufferedStreamBytes > pauseAboveBytes) {
      this.pausedForFlowControl = true;
      this.stream.pause();
    } else if (this.pausedForFlowControl && this.bufferedStreamBytes <= resumeBelowBytes) {
      this.pausedForFlowControl = false;
      this.stream.resume();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closedError) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      // The stream cannot be resynchronised after a bad header: say why, then hang up.
      const message = error instanceof Error ? error.message : String(error);
      this.trySend({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.invalidRequest, message, { maxFrameBytes: this.options.maxFrameBytes }).toJSON() });
      this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, `The peer sent an unreadable message (${message}); the connection was closed.`));
      this.stream.end();
      setTimeout(() => this.stream.destroy(), 1_000).unref();
      return;
    }
    for (const frame of frames) {
      if (typeof frame !== "string") {
        if (!this.onBinaryChunk(frame)) return;
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(frame);
      } catch {
        this.trySend({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.parseError, "The message is not valid JSON.").toJSON() });
        continue;
      }
      this.dispatch(value);
      if (this.closedError) return;
    }
  }

  private dispatch(value: unknown): void {
    const message = classify(value);
    switch (message.kind) {
      case "invalid":
        this.trySend({ jsonrpc: "2.0", id: message.id, error: message.error.toJSON() });
        return;
      case "notification":
        if (message.message.method === cancelMethod) this.running.get(runningKey((message.message.params as { id?: unknown } | undefined)?.id))?.abort();
        else if (message.message.method === streamChunkMethod) this.onChunk(message.message.params);
        return; // other notifications are ignored, as JSON-RPC asks
      case "request":
        void this.serve(message.message);
        return;
      case "response":
      case "error-response": {
        const pending = typeof message.id === "number" ? this.settle(message.id) : undefined;
        if (!pending) return; // late answer to a call that timed out or was cancelled
        if (message.kind === "error-response") {
          pending.reject(message.error);
          return;
        }
        if (pending.method === "agent.hello") {
          const theirs = (message.result as { protocolVersion?: unknown } | null)?.protocolVersion;
          const mismatch = checkHelloVersion(theirs, "agent", this.options.protocolVersion);
          if (mismatch) {
            pending.reject(mismatch);
            return;
          }
          if (typeof theirs === "number") this.version = theirs;
        }
        pending.resolve(message.result);
      }
    }
  }

  /** A binary chunk frame: only valid once version 2 is agreed; false when it closed the connection. */
  private onBinaryChunk(frame: BinaryChunkFrame): boolean {
    if (this.version < binaryChunksVersion) {
      const message = `A binary chunk frame arrived, but this connection agreed on protocol version ${this.version} (binary frames need ${binaryChunksVersion}); the peer must send $/chunk notifications.`;
      this.trySend({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.invalidRequest, message).toJSON() });
      this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, `The peer sent an unreadable message (${message}); the connection was closed.`));
      this.stream.end();
      setTimeout(() => this.stream.destroy(), 1_000).unref();
      return false;
    }
    this.pending.get(frame.id)?.onChunk?.({ fd: frame.fd, data: frame.data });
    return true;
  }

  private onChunk(params: unknown): void {
    const { id, fd, data } = (params ?? {}) as { id?: unknown; fd?: unknown; data?: unknown };
    const pending = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!pending?.onChunk || typeof data !== "string") return;
    pending.onChunk({ fd: fd === "stderr" ? "stderr" : "stdout", data: Buffer.from(data, "base64") });
  }

  private async serve({ id, method, params: rawParams }: RpcRequest): Promise<void> {
    const reply = (body: { result: unknown } | { error: RpcError }): void => {
      if ("error" in body) {
        this.trySend({ jsonrpc: "2.0", id, error: body.error.toJSON() });
        return;
      }
      try {
        this.send({ jsonrpc: "2.0", id, result: body.result });
      } catch (error) {
        if (this.closedError) return;
        this.trySend({ jsonrpc: "2.0", id, error: toRpcError(error, method).toJSON() });
      }
    };
    const handler = isMethodName(method) ? (this.handlers[method] as ((params: unknown, ctx: HandlerContext) => Promise<unknown>) | undefined) : undefined;
    if (!isMethodName(method) || !handler) {
      return reply({ error: new RpcError(rpcErrorCodes.methodNotFound, `Unknown method "${method}".`, { method }) });
    }
    let agreeing = this.version;
    if (method === "agent.hello") {
      // Checked before the schema, so a peer of another version always learns why.
      const theirs = (rawParams as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      const mismatch = checkHelloVersion(theirs, "control plane", this.options.protocolVersion);
      if (mismatch) return reply({ error: mismatch });
      if (typeof theirs === "number") agreeing = agreedVersion(theirs, this.options.protocolVersion);
    }
    const parsed = (methods[method].params as z.ZodType).safeParse(rawParams ?? {});
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues);
      return reply({ error: new RpcError(rpcErrorCodes.invalidParams, `Invalid params for ${method}: ${issues.join("; ")}`, { issues }) });
    }
    const controller = new AbortController();
    const key = runningKey(id);
    this.running.get(key)?.abort(); // a reused id replaces the call it named
    this.running.set(key, controller);
    const binaryId = typeof id === "number" && Number.isInteger(id) && id >= 0 && id <= 0xffffffff ? id : null;
    const ctx: HandlerContext = {
      signal: controller.signal,
      method,
      protocolVersion: agreeing,
      write: async ({ fd, data }) => {
        for (let at = 0; at < data.length; at += maxChunkBytes) {
          if (controller.signal.aborted || this.closedError) return;
          const piece = data.subarray(at, at + maxChunkBytes);
          // Read per piece: a stream opened before the hello (none should be) turns binary once it is agreed.
          const sent =
            this.version >= binaryChunksVersion && binaryId !== null
              ? this.trySendChunk(binaryId, fd, piece)
              : this.trySend({ jsonrpc: "2.0", method: streamChunkMethod, params: { id, fd, data: piece.toString("base64") } });
          if (!sent) await this.whenWritable(controller.signal);
        }
      },
    };
    // The version the hello's answer carries is the connection's from then on (frames after it may be binary).
    const agreed = (result: unknown) => {
      if (method !== "agent.hello") return;
      const answered = (result as { protocolVersion?: unknown } | null)?.protocolVersion;
      if (typeof answered === "number" && answered >= minProtocolVersion && answered <= this.options.protocolVersion) this.version = answered;
    };
    try {
      const result = await handler(parsed.data, ctx);
      if (!this.options.validateResults) return (reply({ result }), agreed(result));
      const checked = (methods[method].result as z.ZodType).safeParse(result);
      if (checked.success) return (reply({ result: checked.data }), agreed(checked.data));
      const issues = describeIssues(checked.error.issues);
      this.options.onHandlerError?.(method, new Error(`invalid result: ${issues.join("; ")}`));
      reply({ error: new RpcError(rpcErrorCodes.internalError, `${method} produced a result that does not match the protocol: ${issues.join("; ")}`, { issues }) });
    } catch (error) {
      if (!(error instanceof RpcError)) this.options.onHandlerError?.(method, error);
      reply({ error: toRpcError(error, method) });
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
  }

  /** Resolves when the stream drains or closes (one listener shared by every waiting writer), or `signal` aborts. */
  private whenWritable(signal: AbortSignal): Promise<void> {
    if (this.closedError || signal.aborted) return Promise.resolve();
    const writable = (this.writable ??= new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        this.writable = null;
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    }));
    return new Promise<void>((resolve) => {
      const finish = () => (signal.removeEventListener("abort", finish), resolve());
      signal.addEventListener("abort", finish, { once: true });
      void writable.then(finish);
    });
  }

  /** Writes one frame; throws when the connection is closed or the message is too large. Returns false when congested. */
  private send(message: unknown): boolean {
    if (this.closedError) throw this.closedError;
    if (this.stream.destroyed || !this.stream.writable) {
      const error = new RpcError(rpcErrorCodes.connectionClosed, "The connection can no longer be written to.");
      this.shutdown(error);
      throw error;
    }
    return this.stream.write(encodeFrameWithin(message, this.options.maxFrameBytes));
  }

  /**
   * One stream chunk as a binary frame: its header and its bytes as two writes (nothing else can
   * come between them), so the bytes are never copied. True unless congested.
   */
  private trySendChunk(id: number, fd: "stdout" | "stderr", data: Buffer): boolean {
    if (this.closedError || this.stream.destroyed || !this.stream.writable) return true;
    try {
      this.stream.write(encodeChunkFrameHeader(id, fd, data.length, this.options.maxFrameBytes));
      return this.stream.write(data);
    } catch {
      return true;
    }
  }

  /** `send` for messages whose loss needs no reporting (notifications, error replies); true unless congested. */
  private trySend(message: unknown): boolean {
    try {
      return this.send(message);
    } catch {
      return true;
    }
  }

  private shutdown(error: RpcError): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const [id] of this.pending) this.settle(id)?.reject(error);
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.markClosed();
  }
}

function runningKey(id: unknown): string {
  return `${typeof id}:${String(id)}`;
}

/** Serves `handlers` on `stream` (the agent's side); the returned peer can also call back. */
export function serve(stream: Duplex, handlers: Handlers, options?: RpcPeerOptions): RpcPeer {
  return new RpcPeer(stream, handlers, options);
}

/** A peer that only calls (the control plane's side). */
export function connect(stream: Duplex, options?: RpcPeerOptions): RpcPeer {
  return new RpcPeer(stream, {}, options);
}
