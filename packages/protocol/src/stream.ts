/** One piece of a streamed call's output (logs, exec output). */
export interface StreamChunk {
  fd: "stdout" | "stderr";
  data: Buffer;
}

/** The caller's end of a streaming call. */
export interface RpcStream<R> extends AsyncIterable<StreamChunk> {
  /** The chunks, in order; ends when the call returns, throws when it fails (not when cancelled). */
  chunks: AsyncIterable<StreamChunk>;
  /** The call's result, after its last chunk. Rejects with -32004 when cancelled. */
  result: Promise<R>;
  /** Stops the producer on the other side (sends `$/cancel`) and ends `chunks`. Idempotent. */
  cancel(): void;
}

/**
 * Chunks received but not yet consumed. Every queued byte is reported to `account` (the
 * connection's flow control) and given back when consumed or discarded, so a stream that
 * is cancelled, fails or whose consumer walks away never leaves its bytes counted.
 */
export class ChunkQueue {
  private readonly items: StreamChunk[] = [];
  private wake: (() => void) | null = null;
  private done = false;
  private failure: Error | null = null;

  constructor(private readonly account: (deltaBytes: number) => void) {}

  push(chunk: StreamChunk): void {
    if (this.done) return;
    this.items.push(chunk);
    this.account(chunk.data.length);
    this.signal();
  }

  /** No more chunks; `error` (if any) is thrown to the consumer after the queued chunks. */
  end(error: Error | null = null): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.signal();
  }

  /** Drops everything queued (consumer gone or cancelled). */
  discard(): void {
    let bytes = 0;
    for (const item of this.items.splice(0)) bytes += item.data.length;
    if (bytes) this.account(-bytes);
    this.end();
  }

  async *iterate(onAbandon: () => void): AsyncGenerator<StreamChunk> {
    let finished = false;
    try {
      for (;;) {
        const next = this.items.shift();
        if (next) {
          this.account(-next.data.length);
          yield next;
          continue;
        }
        if (this.done) {
          finished = true;
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // `break` out of for-await (or a throw in its body) lands here: stop the producer.
      if (!finished) {
        this.discard();
        onAbandon();
      }
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
