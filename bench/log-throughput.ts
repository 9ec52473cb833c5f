// Log streaming throughput: a run writes 100 MiB to stdout; its logs are read to the end, follow
// and not, through Bailey (GET /api/v1/runs/{id}/logs: Next → SSH → agent) and, as the baseline,
// straight from the engine's own log API with dockerode, on the same data in the same process.
// Beside them, the agent's part alone (over the same SSH connection kind the control plane uses):
// run.logs.stream (protocol version 2: binary chunk frames) and run.logs.read (the version-1
// path: base64 inside JSON), with the agent's peak RSS sampled while it serves each.
// Standalone: node --import tsx bench/log-throughput.ts (after ensure-installed --with-builds).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AgentConnection, SshTransport } from "@bailey/agent-client";
import { createPrismaClient } from "@bailey/db";
import Docker from "dockerode";
import globalSetup from "../apps/e2e/fixtures/global-setup";

const bytes = Number(process.env.BAILEY_BENCH_LOG_BYTES ?? 100 * 1024 * 1024);
const samples = Number(process.env.BAILEY_BENCH_LOG_SAMPLES ?? 3);
const line = "0123456789abcdef".repeat(7);
const mib = 1024 * 1024;

async function drain(stream: AsyncIterable<Uint8Array> | Buffer): Promise<number> {
  // dockerode answers follow=false with the whole log as one Buffer (the engine's read, buffered), not a stream.
  if (Buffer.isBuffer(stream)) return stream.length;
  let total = 0;
  for await (const chunk of stream) total += chunk.length;
  return total;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The e2e host's agent (`serve`, BAILEY_HOST_ID=e2e-ssh-host): the process whose RSS counts. */
function agentPid(): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (!cmdline.includes("serve") || !cmdline.some((arg) => arg.includes("agent"))) continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes("BAILEY_HOST_ID=e2e-ssh-host")) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

function rssMiB(pid: number): number {
  const found = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("VmRSS:"));
  return Number(found?.split(/\s+/)[1] ?? Number.NaN) / 1024;
}

/** Runs `read` `samples` times; MiB/s per sample (median) and the agent's peak RSS (sampled every 50 ms) meanwhile. */
async function measure(pid: number | null, read: () => Promise<number>): Promise<{ mibPerSecond: number; peakRssMiB: number | null }> {
  const rates: number[] = [];
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50) : undefined;
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      const received = await read();
      if (received < bytes) throw new Error(`delivered ${received} of ${bytes} bytes`);
      rates.push(received / mib / ((performance.now() - start) / 1000));
    }
  } finally {
    clearInterval(sampler);
  }
  return { mibPerSecond: median(rates), peakRssMiB: pid ? peak : null };
}

/** dial-stdio starts a Node process per connection: on a loaded machine its first hello may take longer than the 10 s allowed. */
async function helloWithRetries(connection: AgentConnection): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.hello();
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

export interface LogThroughputRow {
  label: string;
  mibPerSecond: number;
  ratio: number;
}

export async function benchLogThroughput(): Promise<LogThroughputRow[]> {
  // The runc (sandbox:none) runs need a host that allows them; the e2e host allows only the default.
  process.env.BAILEY_ALLOW = "sandbox:none";
  // So the engine still holds all 100 MiB for its own baseline (Bailey reads its own log file either way).
  process.env.BAILEY_LOG_MAX_SIZE = "512m";
  // The agent as hosts run it (the bundle): its RSS is the figure the issue bounds.
  process.env.BAILEY_E2E_AGENT_BUNDLE = "1";
  const teardown = await globalSetup();
  const docker = new Docker({ socketPath: "/var/run/docker.sock" });
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 2 });
  let agent: AgentConnection | null = null;
  let overall: NodeJS.Timeout | undefined;
  try {
    const base = process.env.BAILEY_E2E_BASE_URL!;
    const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}` };
    // The agent's RSS over the whole of it: while the run writes 100 MiB (the agent copies it into its log file), ships it, and serves every read.
    const pid = agentPid();
    let overallPeak = 0;
    overall = pid ? setInterval(() => (overallPeak = Math.max(overallPeak, rssMiB(pid))), 50) : undefined;
    const created = await fetch(`${base}/api/v1/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", `yes ${line} | head -c ${bytes}`] }),
    });
    const { run } = (await created.json()) as { run: { id: string } };
    for (let i = 0; ; i++) {
      const state = ((await (await fetch(`${base}/api/v1/runs/${run.id}`, { headers: auth })).json()) as { run: { state: string } }).run.state;
      if (state === "succeeded") break;
      if (["failed", "cancelled", "lost"].includes(state) || i > 600) throw new Error(`the log-writing run ended ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const logsComplete = async () => (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).logsCompleteAt !== null;
    const api = (follow: boolean) =>
      measure(pid, async () => {
        const response = await fetch(`${base}/api/v1/runs/${run.id}/logs${follow ? "?follow=true" : ""}`, { headers: auth });
        if (!response.ok) throw new Error(`GET logs answered ${response.status}: ${await response.text()}`);
        return drain(response.body as unknown as AsyncIterable<Uint8Array>);
      });
    // First, at once, while the log is (mostly) still only on the host: the agent's file over SSH
    // (the shipper stores 32 MiB a tick, so later reads are served more and more from the blob store).
    const shippedBefore = await logsComplete();
    const apiOnce = await api(false);
    const apiFollow = await api(true);
    const shippedAfter = await logsComplete();
    const host = await prisma.host.findFirstOrThrow({ where: { runs: { some: { id: run.id } } } });
    agent = new AgentConnection(
      new SshTransport({
        host: host.address,
        port: host.sshPort ?? 22,
        username: host.sshUser ?? "bailey",
        privateKey: readFileSync(process.env.BAILEY_E2E_SSH_KEY_FILE!, "utf8"),
        hostKeyFingerprint: host.hostKeyFingerprint ?? "",
      }),
      { clientName: "bench-log-throughput" },
    );
    const connection = agent;
    await helloWithRetries(connection);
    const version = await connection.protocolVersion();
    const container = docker.getContainer(`bailey-${run.id}`);
    const engine = (follow: boolean) => measure(null, async () => drain((await container.logs({ stdout: true, stderr: true, follow: follow as true })) as unknown as AsyncIterable<Uint8Array>));
    const engineOnce = await engine(false);
    const engineFollow = await engine(true);
    // Then the same once the whole log is in the blob store (a finished run's usual case).
    for (let i = 0; i < 600 && !(await logsComplete()); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    const stored = await logsComplete();
    const apiStored = await api(false);
    const stream = await measure(pid, async () => {
      let total = 0;
      for await (const chunk of await connection.openStream("run.logs.stream", { runId: run.id, offset: 0 })) total += chunk.data.length;
      return total;
    });
    // The v1 path below is the comparison, not what Bailey does with a v2 agent: outside the overall peak.
    clearInterval(overall);
    const jsonReads = await measure(pid, async () => {
      let total = 0;
      for (;;) {
        const answer = await connection.request("run.logs.read", { runId: run.id, offset: total, length: mib }, { timeoutMs: 60_000 });
        const data = Buffer.from(answer.data, "base64");
        total += data.length;
        if (!data.length) return total;
      }
    });
    await fetch(`${base}/api/v1/runs/${run.id}`, { method: "DELETE", headers: auth });
    const source = shippedBefore ? "blob store" : shippedAfter ? "agent log file, the blob store as shipping caught up" : "agent log file";
    const rss = (row: { peakRssMiB: number | null }) => (row.peakRssMiB === null ? "agent RSS not found" : `agent RSS peak ${row.peakRssMiB.toFixed(0)} MiB`);
    return [
      { label: `engine logs via dockerode, follow=false (baseline), ${(bytes / mib).toFixed(0)} MiB`, mibPerSecond: engineOnce.mibPerSecond, ratio: 1 },
      { label: "engine logs via dockerode, follow=true (baseline)", mibPerSecond: engineFollow.mibPerSecond, ratio: 1 },
      { label: `GET /api/v1/runs/{id}/logs (Next → SSH → agent), from ${source}; ${rss(apiOnce)}`, mibPerSecond: apiOnce.mibPerSecond, ratio: apiOnce.mibPerSecond / engineOnce.mibPerSecond },
      { label: `GET /api/v1/runs/{id}/logs?follow=true, the same; ${rss(apiFollow)}`, mibPerSecond: apiFollow.mibPerSecond, ratio: apiFollow.mibPerSecond / engineFollow.mibPerSecond },
      {
        label: `GET /api/v1/runs/{id}/logs once ${stored ? "all of it is in the blob store" : "(shipping had not finished within 2 min)"}`,
        mibPerSecond: apiStored.mibPerSecond,
        ratio: apiStored.mibPerSecond / engineOnce.mibPerSecond,
      },
      {
        label: `agent RSS peak over all of it (the run writing 100 MiB, shipping, every read above and the stream below): ${pid ? `${overallPeak.toFixed(0)} MiB` : "agent not found"}`,
        mibPerSecond: 0,
        ratio: 0,
      },
      {
        label: `agent alone over SSH: run.logs.stream, protocol v${version} binary chunk frames; ${rss(stream)}`,
        mibPerSecond: stream.mibPerSecond,
        ratio: stream.mibPerSecond / engineOnce.mibPerSecond,
      },
      {
        label: `agent alone over SSH: run.logs.read, 1 MiB base64-in-JSON reads (the v1 path); ${rss(jsonReads)}`,
        mibPerSecond: jsonReads.mibPerSecond,
        ratio: jsonReads.mibPerSecond / engineOnce.mibPerSecond,
      },
    ];
  } finally {
    clearInterval(overall);
    agent?.close();
    await prisma.$disconnect();
    await teardown();
  }
}

/**
 * The agent's part alone, without the dashboard (no build needed): a real agent behind a real
 * sshd, its run writing the same 100 MiB; the engine's log API beside run.logs.stream (binary
 * frames) and run.logs.read (base64 in JSON) over SSH, and the agent's peak RSS.
 */
export async function benchAgentLogPath(): Promise<LogThroughputRow[]> {
  const { startAgentHost } = await import("@bailey/agent/testing");
  const host = await startAgentHost({
    hostId: `bench-logs-${process.pid}`,
    runtime: "docker",
    allow: ["sandbox:none"],
    // The engine keeps the whole 100 MiB (its default cap, 10 MB × 3 of JSON, would rotate most of it away): the same data on both sides.
    env: { BAILEY_LOG_MAX_SIZE: "512m" },
  });
  const docker = new Docker({ socketPath: "/var/run/docker.sock" });
  const connection = new AgentConnection(
    new SshTransport({ host: host.address, port: host.port, username: host.user, privateKey: readFileSync(host.keyFile, "utf8"), hostKeyFingerprint: host.fingerprint }),
    { clientName: "bench-log-throughput" },
  );
  const runId = `benchlogs${process.pid}`;
  try {
    const spec = { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", `yes ${line} | head -c ${bytes}`], env: {}, dependencies: [], resources: {} };
    await helloWithRetries(connection);
    await connection.request("run.create", { runId, spec } as never, { timeoutMs: 120_000 });
    await connection.request("run.start", { runId }, { timeoutMs: 120_000 });
    for (let i = 0; ; i++) {
      const file = await connection.request("run.logs.read", { runId, offset: 0, length: 1 });
      if (file.complete && file.sizeBytes >= bytes) break;
      if (i > 1200) throw new Error(`the run's log did not complete: ${JSON.stringify(file)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const pid = host.agent.child.pid ?? null;
    const version = await connection.protocolVersion();
    const container = docker.getContainer((await connection.request("run.inspect", { runId })).containerId ?? "");
    const engineOnce = await measure(null, async () => drain((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer));
    const stream = await measure(pid, async () => {
      let total = 0;
      for await (const chunk of await connection.openStream("run.logs.stream", { runId, offset: 0 })) total += chunk.data.length;
      return total;
    });
    const jsonReads = await measure(pid, async () => {
      let total = 0;
      for (;;) {
        const answer = await connection.request("run.logs.read", { runId, offset: total, length: mib }, { timeoutMs: 60_000 });
        const data = Buffer.from(answer.data, "base64");
        total += data.length;
        if (!data.length) return total;
      }
    });
    const rss = (row: { peakRssMiB: number | null }) => `agent RSS peak ${row.peakRssMiB?.toFixed(0) ?? "?"} MiB`;
    return [
      { label: `engine logs via dockerode, follow=false (baseline), ${(bytes / mib).toFixed(0)} MiB`, mibPerSecond: engineOnce.mibPerSecond, ratio: 1 },
      { label: `agent over SSH: run.logs.stream, protocol v${version} binary chunk frames; ${rss(stream)}`, mibPerSecond: stream.mibPerSecond, ratio: stream.mibPerSecond / engineOnce.mibPerSecond },
      {
        label: `agent over SSH: run.logs.read, 1 MiB base64-in-JSON reads (the v1 path); ${rss(jsonReads)}`,
        mibPerSecond: jsonReads.mibPerSecond,
        ratio: jsonReads.mibPerSecond / engineOnce.mibPerSecond,
      },
    ];
  } finally {
    await connection.request("run.destroy", { runId }, { timeoutMs: 60_000 }).catch(() => undefined);
    connection.close();
    await host.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = process.env.BAILEY_BENCH_LOG_AGENT_ONLY === "1" ? await benchAgentLogPath() : await benchLogThroughput();
  console.log("| path | MiB/s | ratio to baseline |\n| --- | --- | --- |");
  for (const row of rows) console.log(`| ${row.label} | ${row.mibPerSecond.toFixed(1)} | ${row.ratio.toFixed(2)}× |`);
}
