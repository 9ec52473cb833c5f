// Resident memory of the agent and of the control plane's web server, idle and busy, beside
// an idle bare Node.js process (the floor any Node program pays).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentConnection, LocalTransport } from "@bailey/agent-client";
import globalSetup from "../apps/e2e/fixtures/global-setup";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundle = path.join(root, "apps/agent/dist/bailey-agent.cjs");

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchMemory(): Promise<{ label: string; mib: number }[]> {
  const rows: { label: string; mib: number }[] = [];
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await settle(1500);
  rows.push({ label: "bare node, idle (baseline)", mib: rssMiB(bare.pid!) });
  bare.kill();

  // The agent as hosts run it: the single-file bundle, here with the Mock runtime.
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-bench-mem-"));
  await chmod(dir, 0o755);
  const socket = path.join(dir, "agent.sock");
  const agent = spawn(process.execPath, [bundle, "serve"], {
    stdio: "ignore",
    env: { ...process.env, BAILEY_AGENT_SOCKET: socket, BAILEY_AGENT_STATE_DIR: path.join(dir, "state"), BAILEY_RUNTIME: "mock" },
  });
  try {
    for (let i = 0; i < 200 && !existsSync(socket); i++) await settle(50);
    await settle(1500);
    rows.push({ label: "bailey-agent, idle", mib: rssMiB(agent.pid!) });
    const connection = new AgentConnection(new LocalTransport(socket));
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const runId = `mem${i}`;
        await connection.request("run.create", { runId, spec: { image: "busybox", command: ["sleep", "300"], env: {}, dependencies: [], sandbox: "none", resources: {} } } as never);
        await connection.request("run.start", { runId });
      }),
    );
    await connection.request("events.pull", { afterSeq: 0, limit: 1000 });
    rows.push({ label: "bailey-agent, 200 runs supervised", mib: rssMiB(agent.pid!) });
    connection.close();
  } finally {
    agent.kill();
    await rm(dir, { recursive: true, force: true });
  }

  const teardown = await globalSetup();
  try {
    const port = new URL(process.env.BAILEY_E2E_BASE_URL!).port;
    // The process listening on the dashboard's port: the launcher's `next start` child.
    const listening = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
    const web = Number(/pid=(\d+)/.exec(listening)?.[1]);
    if (!web) throw new Error(`no process listens on port ${port}: ${listening}`);
    await settle(2000);
    rows.push({ label: "control plane (next start), idle", mib: rssMiB(web) });
    const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}` };
    const until = Date.now() + 8000;
    let peak = 0;
    await Promise.all([
      ...Array.from({ length: 8 }, async () => {
        while (Date.now() < until) await (await fetch(`${process.env.BAILEY_E2E_BASE_URL}/api/v1/runs?limit=200`, { headers: auth })).arrayBuffer();
      }),
      (async () => {
        while (Date.now() < until) {
          peak = Math.max(peak, rssMiB(web));
          await settle(250);
        }
      })(),
    ]);
    rows.push({ label: "control plane, peak under 8 clients listing runs", mib: peak });
  } finally {
    await teardown();
  }
  return rows;
}
