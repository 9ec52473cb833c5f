import net from "node:net";
import type { Duplex } from "node:stream";
import { Client, type ClientChannel } from "ssh2";
import { hostKeyFingerprint, HostKeyMismatchError } from "./host-key";

/** Opens one byte stream to an agent's protocol endpoint. */
export interface Transport {
  readonly description: string;
  open(): Promise<{ stream: Duplex; close(): void }>;
}

/** The embedded default: a daemon on this machine, straight over its Unix socket. */
export class LocalTransport implements Transport {
  constructor(private readonly socketPath: string) {}

  get description(): string {
    return `unix:${this.socketPath}`;
  }

  open(): Promise<{ stream: Duplex; close(): void }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.socketPath);
      socket.once("connect", () => resolve({ stream: socket, close: () => socket.destroy() }));
      socket.once("error", (error: NodeJS.ErrnoException) =>
        reject(new Error(`Cannot reach the agent at ${this.socketPath}: ${error.code === "ENOENT" || error.code === "ECONNREFUSED" ? "it is not running" : error.message}`)),
      );
    });
  }
}

export interface SshTransportOptions {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** Pinned at enrollment; any other key is refused before authentication. */
  hostKeyFingerprint: string;
  /** Called once per refusal, so the caller can mark the host and audit it. */
  onHostKeyMismatch?: (error: HostKeyMismatchError) => void;
  keepaliveIntervalMs?: number;
  readyTimeoutMs?: number;
  /** The remote command; the host's authorized_keys forces it anyway. */
  command?: string;
}

/**
 * Production: ssh2 to the host's sshd, whose forced command relays the channel to the
 * daemon's socket (`bailey-agent dial-stdio`). The host key is checked against the pinned
 * fingerprint in ssh2's hostVerifier — every Client this creates has one.
 */
export class SshTransport implements Transport {
  constructor(private readonly options: SshTransportOptions) {}

  get description(): string {
    return `ssh://${this.options.username}@${this.options.host}:${this.options.port}`;
  }

  open(): Promise<{ stream: Duplex; close(): void }> {
    const { options } = this;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let mismatch: HostKeyMismatchError | null = null;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(error);
      };
      // Every error event is handled: a dead host must never crash the control plane.
      client.on("error", (error) => fail(mismatch ?? new Error(`SSH to ${this.description} failed: ${error.message}`)));
      client.once("close", () => fail(mismatch ?? new Error(`SSH to ${this.description} closed before the agent answered.`)));
      client.once("ready", () => {
        client.exec(options.command ?? "bailey-agent dial-stdio", (error, channel: ClientChannel) => {
          if (error) return fail(new Error(`SSH to ${this.description} refused the agent command: ${error.message}`));
          settled = true;
          channel.on("error", () => channel.destroy());
          channel.once("close", () => client.end());
          resolve({
            stream: channel,
            close: () => {
              channel.destroy();
              client.end();
              // end() only half-closes: a server slow to hang up (its agent still busy) would keep
              // the socket, and this process, alive. Its grace is short; then the socket goes.
              setTimeout(() => client.destroy(), 2_000).unref();
            },
          });
        });
      });
      // Our own socket, to turn Nagle off: each request is a small write, and waiting to
      // coalesce them against delayed ACKs costs ~40 ms per round trip.
      const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
      socket.on("error", () => undefined); // reported through the client's error event
      client.connect({
        sock: socket,
        host: options.host,
        port: options.port,
        username: options.username,
        privateKey: options.privateKey,
        agentForward: false,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        readyTimeout: options.readyTimeoutMs ?? 10_000,
        hostVerifier: (key: Buffer) => {
          const presented = hostKeyFingerprint(key);
          if (presented === options.hostKeyFingerprint) return true;
          mismatch = new HostKeyMismatchError(`${options.host}:${options.port}`, options.hostKeyFingerprint, presented);
          options.onHostKeyMismatch?.(mismatch);
          return false;
        },
      });
    });
  }
}
