import { AgentConnection, LocalTransport, SshTransport, type HostKeyMismatchError } from "@bailey/agent-client";
import { countAgentConnectFailure, countAgentReconnect } from "../observability/agent-metrics";

export interface HostEndpoint {
  id: string;
  transport: "ssh" | "local";
  address: string;
  sshPort: number;
  sshUser: string;
  hostKeyFingerprint: string | null;
}

export interface HostConnectionsOptions {
  /** The control plane's SSH private key (ed25519), for `ssh` hosts. */
  privateKey?: string;
  onHostKeyMismatch?: (hostId: string, error: HostKeyMismatchError) => void;
}

/** One long-lived connection per host, reused by every tick and request of this process. */
export class HostConnections {
  private readonly connections = new Map<string, { key: string; connection: AgentConnection; owner: { hostId: string } }>();

  constructor(private readonly options: HostConnectionsOptions = {}) {}

  get(host: HostEndpoint): AgentConnection {
    const key = [host.transport, host.address, host.sshPort, host.sshUser, host.hostKeyFingerprint].join("|");
    const cached = this.connections.get(host.id);
    if (cached?.key === key) return cached.connection;
    cached?.connection.close();
    const owner = { hostId: host.id };
    const connection = new AgentConnection(this.transportFor(host, owner), {
      onConnect: ({ reconnect }) => {
        if (reconnect) countAgentReconnect(owner.hostId);
      },
      onConnectFailed: () => countAgentConnectFailure(owner.hostId),
    });
    this.connections.set(host.id, { key, connection, owner });
    return connection;
  }

  /** Hands a connection opened before its host row existed (a probe) to that row. */
  adopt(fromId: string, toId: string): void {
    const entry = this.connections.get(fromId);
    if (!entry) return;
    this.connections.delete(fromId);
    this.forget(toId);
    entry.owner.hostId = toId;
    this.connections.set(toId, entry);
  }

  /** Drops a removed host's connection. */
  forget(hostId: string): void {
    this.connections.get(hostId)?.connection.close();
    this.connections.delete(hostId);
  }

  close(): void {
    for (const { connection } of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private transportFor(host: HostEndpoint, owner: { hostId: string }) {
    if (host.transport === "local") return new LocalTransport(host.address);
    if (!this.options.privateKey) throw new Error("No SSH key is configured for reaching hosts.");
    if (!host.hostKeyFingerprint) throw new Error(`Host ${host.id} has no pinned host key; finish its enrollment first.`);
    return new SshTransport({
      host: host.address,
      port: host.sshPort,
      username: host.sshUser,
      privateKey: this.options.privateKey,
      hostKeyFingerprint: host.hostKeyFingerprint,
      onHostKeyMismatch: (error) => this.options.onHostKeyMismatch?.(owner.hostId, error),
    });
  }
}
