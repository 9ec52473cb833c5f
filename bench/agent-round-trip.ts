// Median agent round trip (events.pull with nothing to return) over the local Unix socket
// (baseline) and over one pooled SSH channel through real sshd and dial-stdio.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentConnection, LocalTransport, SshTransport } from "@bailey/agent-client";
import { generateKeyPair, startSshd } from "@bailey/agent-client/testing";
import { measure, type BenchRow } from "./measure";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const agentMain = path.join(root, "apps/agent/src/main.ts");
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
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-bench-rpc-"));
  await chmod(dir, 0o755);
  const socket = path.join(dir, "agent.sock");
  const agent = spawn(process.execPath, ["--import", "tsx", agentMain, "serve"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, BAILEY_AGENT_SOCKET: socket, BAILEY_AGENT_STATE_DIR: path.join(dir, "state"), BAILEY_RUNTIME: "mock" },
  });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const wrapper = path.join(dir, "bailey-agent");
  await writeFile(wrapper, `#!/bin/sh\nexport BAILEY_AGENT_SOCKET=${socket}\ncd ${root}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`, { mode: 0o755 });
  const key = await generateKeyPair();
  const sshd = await startSshd({ authorizedKeys: [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`] });
  const local = new AgentConnection(new LocalTransport(socket));
  const ssh = new AgentConnection(new SshTransport({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: key.privateKey, hostKeyFingerprint: sshd.hostKeyFingerprint }));
  try {
    const baseline = await timeRoundTrips("agent round trip, local Unix socket (baseline)", local);
    const overSsh = await timeRoundTrips("agent round trip, pooled SSH channel", ssh);
    return [baseline, overSsh].map((row) => ({ ...row, ratio: row.median / baseline.median }));
  } finally {
    local.close();
    ssh.close();
    await sshd.stop();
    agent.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
