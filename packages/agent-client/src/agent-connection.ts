import { negotiateHello, RpcError, rpcErrorCodes, RpcPeer, type MethodName, type ParamsInput, type RequestOptions, type Result } from "@bailey/protocol";
import { HostKeyMismatchError } from "./host-key";
import type { Transport } from "./transports";

export interface AgentConnectionOptions {
  clientName?: string;
  /** First retry delay; doubles per failure up to maxBackoffMs, with full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** Told of each connection made (`reconnect`: an earlier one of this connection had been made) and each attempt that failed. */
  onConnect?: (event: { reconnect: boolean }) => void;
  onConnectFailed?: (error: unknown) => void;
}

export type Hello = Result<"agent.hello">;

/**
 * One long-lived, multiplexed connection to one host's agent. Every request reuses it;
 * when it drops, the next request reconnects, after a jittered exponential backoff when
 * the previous attempt failed. A pinned-key mismatch is never retried.
 */
export class AgentConnection {
  private current: Promise<{ peer: RpcPeer; hello: Hello; close(): void }> | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private refused: HostKeyMismatchError | null = null;
  private closed = false;
  private connectedBefore = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: AgentConnectionOptions = {},
  ) {}

  /** Connects (or reuses the connection) and returns the agent's hello. */
  async hello(): Promise<Hello> {
    return (await this.connection()).hello;
  }

  async request<M extends MethodName>(method: M, params: ParamsInput<M>, options?: RequestOptions): Promise<Result<M>> {
    const { peer } = await this.connection();
    return peer.request(method, params, options);
  }

  async openStream<M extends MethodName>(method: M, params: ParamsInput<M>) {
    const { peer } = await this.connection();
    return peer.openStream(method, params);
  }

  /** The protocol version agreed with the agent (connecting first if need be). */
  async protocolVersion(): Promise<number> {
    return (await this.connection()).peer.protocolVersion;
  }

  close(): void {
    this.closed = true;
    void this.current?.then(
      (connection) => connection.close(),
      () => undefined,
    );
    this.current = null;
  }

  private connection(): Promise<{ peer: RpcPeer; hello: Hello; close(): void }> {
    if (this.closed) return Promise.reject(new RpcError(rpcErrorCodes.connectionClosed, "This agent connection was closed."));
    if (this.refused) return Promise.reject(this.refused);
    if (!this.current) {
      const attempt = this.establish();
      this.current = attempt;
      attempt.then(
        ({ peer }) =>
          void peer.closed.then(() => {
            if (this.current === attempt) this.current = null;
          }),
        () => {
          if (this.current === attempt) this.current = null;
        },
      );
    }
    return this.current;
  }

  private async establish(): Promise<{ peer: RpcPeer; hello: Hello; close(): void }> {
    const wait = this.nextAttemptAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      const { stream, close } = await this.transport.open();
      const peer = new RpcPeer(stream);
      // Offers the newest version; an agent of the previous release is then greeted in its own (no binary chunk frames).
      const hello = await negotiateHello(peer, this.options.clientName ?? "bailey-control-plane", { timeoutMs: 10_000 });
      this.failures = 0;
      this.nextAttemptAt = 0;
      this.options.onConnect?.({ reconnect: this.connectedBefore });
      this.connectedBefore = true;
      return { peer, hello, close: () => (peer.close(), close()) };
    } catch (error) {
      if (error instanceof HostKeyMismatchError) this.refused = error;
      this.options.onConnectFailed?.(error);
      this.failures += 1;
      const ceiling = Math.min(this.options.maxBackoffMs ?? 30_000, (this.options.baseBackoffMs ?? 250) * 2 ** (this.failures - 1));
      this.nextAttemptAt = Date.now() + Math.floor((this.options.random ?? Math.random)() * ceiling);
      throw error;
    }
  }
}
