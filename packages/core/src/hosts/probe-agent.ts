import { randomBytes } from "node:crypto";
import type { Hello } from "@bailey/agent-client";
import type { HostConnections, HostEndpoint } from "../scheduler/host-connections";

export interface AgentProbe {
  /** Null when it did not answer (or presented another key): the row is then created as before and says why it is not online. */
  hello: Hello | null;
  /** The row now exists: its first hello reuses this connection rather than opening another SSH session. */
  adoptAs(hostId: string): void;
  discard(): void;
}

/**
 * Greets the agent at an endpoint no row exists for yet, so add-host and enrollment can refuse
 * a machine that is already a host before creating anything.
 */
export async function probeAgent(connections: HostConnections, endpoint: Omit<HostEndpoint, "id">): Promise<AgentProbe> {
  const probeId = `probe-${randomBytes(8).toString("hex")}`;
  const discard = () => connections.forget(probeId);
  try {
    const hello = await connections.get({ ...endpoint, id: probeId }).hello();
    return { hello, adoptAs: (hostId) => connections.adopt(probeId, hostId), discard };
  } catch {
    discard();
    return { hello: null, adoptAs: () => undefined, discard };
  }
}
