// Median agent round trip (events.pull with nothing to return) over the local Unix socket
// (baseline) and over one pooled SSH channel through real sshd and dial-stdio.
import { startAgentHost } from "@bailey/agent/testing";
import { AgentConnection, LocalTransport, SshTransport } from "@bailey/agent-client";
import { measure, type BenchRow } from "./measure";

const iterations = Number(process.env.BAILEY_BENCH_RPC_ITERATIONS ?? 2000);

async function timeRoundTrips(label: string, connection: AgentConnection): Promise<BenchRow> {
  await connection.hello();
  // One sample is the mean of 20 sequential calls, so timer resolution does not dominate.
  const row = await measure(label, Math.ceil(iterations / 20), async () => {
    const start = performance.now();
    for (let i = 0; i < 20; i++) await connection.request("events.pull", { afterSeq: Number.MAX_SAFE_INTEGER - 1, limit: 1 });
    return (performance.now() - start) / 20;
  });
  return row;
}

export async function benchAgentRoundTrip(): Promise<BenchRow[]> {
  const host = await startAgentHost({ hostId: "bench-rpc", runtime: "mock" });
  const local = new AgentConnection(new LocalTransport(host.socketPath));
  const ssh = new AgentConnection(new SshTransport({ host: host.address, port: host.port, username: host.user, privateKey: host.privateKey, hostKeyFingerprint: host.fingerprint }));
  try {
    const baseline = await timeRoundTrips("agent round trip, local Unix socket (baseline)", local);
    const overSsh = await timeRoundTrips("agent round trip, pooled SSH channel", ssh);
    return [baseline, overSsh].map((row) => ({ ...row, ratio: row.median / baseline.median }));
  } finally {
    local.close();
    ssh.close();
    await host.stop();
  }
}
