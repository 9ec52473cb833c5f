import type { Duplex } from "node:stream";
import type { z } from "zod";
import { encodeFrame, FrameDecoder } from "./framing";
import { RpcError, rpcErrorCodes } from "./errors";
import { isMethodName, methods, type MethodName, type Params, type ParamsInput, type Result } from "./method-map";

export interface StreamChunk {
  fd: "stdout" | "stderr";
  data: Buffer;
}

export interface HandlerContext {
  /** Aborted when the caller cancels or the connection closes. */
  signal: AbortSignal;
  /** Streams a chunk to the caller ahead of the result; waits while the connection is congested. */
  write(chunk: StreamChunk): Promise<void>;
}

export type Handlers = { [M in MethodName]?: (params: Params<M>, ctx: HandlerContext) => Promise<Result<M>> };

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onChunk?: (chunk: StreamChunk) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onChunk?: (chunk: StreamChunk) => void;
  cleanup(): void;
}

interface Message {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

const defaultTimeoutMs = 30_000;
/** A stream consumer this far behind pauses the connection until it catches up. */
const pauseAboveBytes = 8 * 1024 * 1024;

/**
 * One end of a JSON-RPC 2.0 connection over any byte stream (Unix socket, SSH channel,
 * stdio). Either end may call and serve; many calls and streams share the connection.
 * A stream is a call whose handler writes chunks before its result.
 */
export class RpcPeer {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<string, AbortController>();
  private nextId = 1;
  private closedError: RpcError | null = null;
  private bufferedStreamBytes = 0;
  readonly closed: Promise<void>;

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: Handlers = {},
  ) {
    let markClosed: () => void = () => undefined;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.once("close", () => {
      this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, "The connection to the peer closed."));
      markClosed();
    });
    stream.on("error", (error) => this.shutdown(new RpcError(rpcErrorCodes.connectionClosed, `The connection failed: ${error.message}`)));
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  request<M extends MethodName>(method: M, params: ParamsInput<M>, options: RequestOptions = {}): Promise<Result<M>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
      const timer = timeoutMs > 0 ? setTimeout(() => fail(new RpcError(rpcErrorCodes.timeout, `${method} got no answer within ${timeoutMs} ms.`)), timeoutMs) : undefined;
      const onAbort = () => fail(new RpcError(rpcErrorCodes.timeout, `${method} was cancelled.`));
      const fail = (error: Error) => {
        if (!this.pending.has(id)) return;
        this.pending.get(id)?.cleanup();
        this.pending.delete(id);
        this.notify("$/cancel", { id });
        reject(error);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (value) => resolve(value as Result<M>),
        reject,
        ...(options.onChunk ? { onChunk: options.onChunk } : {}),
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** A streaming call: chunks as they come, then the result; `cancel` stops the producer. */
  openStream<M extends MethodName>(method: M, params: ParamsInput<M>, options: { timeoutMs?: number } = {}) {
    const queue: StreamChunk[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let failure: Error | null = null;
    const controller = new AbortController();
    const result = this.request(method, params, {
      timeoutMs: options.timeoutMs ?? 0,
      signal: controller.signal,
      onChunk: (chunk) => {
        queue.push(chunk);
        this.trackBuffered(chunk.data.length);
        wake?.();
      },
    });
    result.then(
      () => ((finished = true), wake?.()),
      (error: Error) => ((failure = error), (finished = true), wake?.()),
    );
    const peer = this;
    const chunks: AsyncIterable<StreamChunk> = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = queue.shift();
          if (next) {
            peer.trackBuffered(-next.data.length);
            yield next;
            continue;
          }
          if (finished) {
            if (failure && !controller.signal.aborted) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      },
    };
    result.catch(() => undefined);
    return { chunks, result, cancel: () => controller.abort() };
  }

  close(): void {
    this.stream.end();
    this.stream.destroy();
  }

  private trackBuffered(delta: number): void {
    this.bufferedStreamBytes += delta;
    if (this.bufferedStreamBytes > pauseAboveBytes) this.stream.pause();
    else if (this.stream.isPaused() && this.bufferedStreamBytes < pauseAboveBytes / 8) this.stream.resume();
  }

  private onData(chunk: Buffer): void {
    let frames: string[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.send({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.invalidRequest, (error as Error).message).toJSON() });
      this.close();
      return;
    }
    for (const frame of frames) {
      let message: Message;
      try {
        message = JSON.parse(frame) as Message;
      } catch {
        this.send({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.parseError, "The message is not valid JSON.").toJSON() });
        continue;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    if (typeof message !== "object" || message === null || message.jsonrpc !== "2.0") {
      this.send({ jsonrpc: "2.0", id: null, error: new RpcError(rpcErrorCodes.invalidRequest, 'Not a JSON-RPC 2.0 message (jsonrpc must be "2.0").').toJSON() });
      return;
    }
    if (typeof message.method === "string") {
      if (message.method === "$/cancel") return this.running.get(String((message.params as { id?: unknown })?.id))?.abort();
      if (message.method === "$/chunk") return this.onChunk(message.params);
      if (message.id === undefined) return; // unknown notifications are ignored, per JSON-RPC
      void this.serve(message.id, message.method, message.params);
      return;
    }
    if (typeof message.id === "number") {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      pending.cleanup();
      if (message.error) {
        pending.reject(new RpcError(Number(message.error.code ?? rpcErrorCodes.internalError), String(message.error.message ?? "error"), message.error.data));
      } else {
        pending.resolve(message.result);
      }
    }
  }

  private onChunk(params: unknown): void {
    const { id, fd, data } = (params ?? {}) as { id?: unknown; fd?: unknown; data?: unknown };
    const pending = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!pending?.onChunk || typeof data !== "string") return;
    pending.onChunk({ fd: fd === "stderr" ? "stderr" : "stdout", data: Buffer.from(data, "base64") });
  }

  private async serve(id: unknown, method: string, rawParams: unknown): Promise<void> {
    const reply = (body: { result: unknown } | { error: ReturnType<RpcError["toJSON"]> }): void => {
      this.send({ jsonrpc: "2.0", id, ...body });
    };
    if (typeof id !== "number" && typeof id !== "string") {
      return reply({ error: new RpcError(rpcErrorCodes.invalidRequest, "A request id must be a number or a string.").toJSON() });
    }
    const handler = isMethodName(method) ? (this.handlers[method] as ((params: unknown, ctx: HandlerContext) => Promise<unknown>) | undefined) : undefined;
    if (!isMethodName(method) || !handler) {
      return reply({ error: new RpcError(rpcErrorCodes.methodNotFound, `Unknown method "${method}".`).toJSON() });
    }
    const parsed = (methods[method].params as z.ZodType).safeParse(rawParams ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "params"}: ${issue.message}`);
      return reply({ error: new RpcError(rpcErrorCodes.invalidParams, `Invalid params for ${method}: ${issues.join("; ")}`, { issues }).toJSON() });
    }
    const controller = new AbortController();
    const key = String(id);
    this.running.set(key, controller);
    const ctx: HandlerContext = {
      signal: controller.signal,
      write: async ({ fd, data }) => {
        if (controller.signal.aborted || this.closedError) return;
        if (!this.send({ jsonrpc: "2.0", method: "$/chunk", params: { id, fd, data: data.toString("base64") } })) {
          await new Promise<void>((resolve) => {
            const done = () => (this.stream.off("drain", done), this.stream.off("close", done), resolve());
            this.stream.once("drain", done);
            this.stream.once("close", done);
          });
        }
      },
    };
    try {
      const result = await handler(parsed.data, ctx);
      reply({ result });
    } catch (error) {
      const rpcError = error instanceof RpcError ? error : new RpcError(rpcErrorCodes.internalError, `${method} failed: ${(error as Error)?.message ?? String(error)}`);
      reply({ error: rpcError.toJSON() });
    } finally {
      this.running.delete(key);
    }
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  private send(message: unknown): boolean {
    if (this.closedError || this.stream.destroyed || !this.stream.writable) return true;
    return this.stream.write(encodeFrame(message));
  }

  private shutdown(error: RpcError): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const pending of this.pending.values()) {
      pending.cleanup();
      pending.reject(error);
    }
    this.pending.clear();
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }
}
