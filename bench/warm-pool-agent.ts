// Agent level, warm pool against cold (issue 18): run.create + run.start until the run's first
// output byte is in its log file, for a run that claims a pooled container and for the same spec
// on an agent without pools, under runc and gVisor. The first byte is seen by watching the log file
// the agent writes (stat every 0.5 ms on this machine): its committed length, which run.logs.read
// serves, lags by up to 250 ms by design, and run.logs follows the engine's log, which a warm run's
// exec does not write to.
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { type AgentProcess, docker, startAgent } from "@bailey/agent/testing";
import { type BenchRow, measureInterleaved, printTable } from "./measure";

type RpcPeer = Awaited<ReturnType<AgentProcess["connect"]>>;

const image = "bailey-test/busybox:latest";
const iterations = Number(process.env.BAILEY_BENCH_WARM_ITERATIONS ?? 15);

async function firstOutputMs(agent: AgentProcess, peer: RpcPeer, sandbox: "none" | "gvisor", expectWarm: boolean): Promise<number> {
  if (expectWarm) await waitForIdle(peer, `bench-${sandbox}`);
  const runId = `bench-${randomBytes(5).toString("hex")}`;
  const file = path.join(agent.stateDir, "run-logs", `${runId}.log`);
  const start = performance.now();
  const created = await peer.request("run.create", { runId, spec: { image, sandbox, command: ["echo", "first"] } });
  await peer.request("run.start", { runId });
  for (;;) {
    if (((await stat(file).catch(() => null))?.size ?? 0) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 0.5));
  }
  const elapsed = performance.now() - start;
  if (Boolean(created.warm) !== expectWarm) throw new Error(`run ${runId} was ${created.warm ? "warm" : "cold"}, expected ${expectWarm ? "warm" : "cold"}`);
  await waitForEnd(peer, runId);
  await peer.request("run.destroy", { runId });
  return elapsed;
}

/**
 * What a follower sees: run.create + run.start, then run.logs.stream opened at once, until its
 * first chunk arrives (the agent wakes the stream at the log file's commit, no poll in between).
 */
async function firstStreamedMs(peer: RpcPeer, sandbox: "none" | "gvisor", expectWarm: boolean): Promise<number> {
  if (expectWarm) await waitForIdle(peer, `bench-${sandbox}`);
  const runId = `bench-${randomBytes(5).toString("hex")}`;
  const start = performance.now();
  const created = await peer.request("run.create", { runId, spec: { image, sandbox, command: ["echo", "first"] } });
  await peer.request("run.start", { runId });
  const stream = peer.openStream("run.logs.stream", { runId, offset: 0 });
  let elapsed = Number.NaN;
  for await (const chunk of stream) {
    if (chunk.data.length) {
      elapsed = performance.now() - start;
      break;
    }
  }
  stream.cancel();
  if (Number.isNaN(elapsed)) throw new Error(`run ${runId}: its log stream ended without output`);
  if (Boolean(created.warm) !== expectWarm) throw new Error(`run ${runId} was ${created.warm ? "warm" : "cold"}, expected ${expectWarm ? "warm" : "cold"}`);
  await waitForEnd(peer, runId);
  await peer.request("run.destroy", { runId });
  return elapsed;
}

/** The floor: the engine's own exec into a running container of that runtime, from the exec's creation to its first output byte. */
async function engineExecMs(containerId: string): Promise<number> {
  const start = performance.now();
  const exec = await docker.getContainer(containerId).exec({ Cmd: ["echo", "first"], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise((resolve) => stream.once("data", resolve));
  const elapsed = performance.now() - start;
  stream.destroy();
  return elapsed;
}

async function idleContainer(runtime: "runc" | "runsc"): Promise<string> {
  const container = await docker.createContainer({ Image: image, Entrypoint: ["sleep", "infinity"], Labels: { "bailey.bench": "warm-pool-floor" }, HostConfig: { Runtime: runtime } });
  await container.start();
  return container.id;
}

async function waitForIdle(peer: RpcPeer, poolId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const pool = (await peer.request("pool.status", {})).pools.find((entry) => entry.poolId === poolId);
    if (pool?.lastError) throw new Error(`pool ${poolId}: ${pool.lastError}`);
    if ((pool?.idle ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pool ${poolId} did not fill within 60 s`);
}

async function waitForEnd(peer: RpcPeer, runId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (["exited", "failed", "timed_out"].includes((await peer.request("run.inspect", { runId })).state)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function benchWarmPoolAgent(): Promise<BenchRow[]> {
  const cold = await startAgent({ hostId: `bench-cold-${randomBytes(3).toString("hex")}`, allow: ["sandbox:none"] });
  const warm = await startAgent({ hostId: `bench-warm-${randomBytes(3).toString("hex")}`, allow: ["sandbox:none"] });
  const floors = { none: await idleContainer("runc"), gvisor: await idleContainer("runsc") };
  try {
    const coldPeer = await cold.connect();
    const warmPeer = await warm.connect();
    await warmPeer.request("pool.configure", {
      pools: [
        { poolId: "bench-none", image, sandbox: "none", size: 2 },
        { poolId: "bench-gvisor", image, sandbox: "gvisor", size: 2 },
      ],
    });
    const rows = await measureInterleaved(iterations, [
      { label: "cold run.create+start → first output byte (runc)", once: () => firstOutputMs(cold, coldPeer, "none", false) },
      { label: "warm pool run.create+start → first output byte (runc)", once: () => firstOutputMs(warm, warmPeer, "none", true) },
      { label: "cold run.create+start → first output byte (gVisor)", once: () => firstOutputMs(cold, coldPeer, "gvisor", false) },
      { label: "warm pool run.create+start → first output byte (gVisor)", once: () => firstOutputMs(warm, warmPeer, "gvisor", true) },
      { label: "cold run.create+start → first chunk on run.logs.stream (runc)", once: () => firstStreamedMs(coldPeer, "none", false) },
      { label: "warm pool run.create+start → first chunk on run.logs.stream (runc)", once: () => firstStreamedMs(warmPeer, "none", true) },
      { label: "cold run.create+start → first chunk on run.logs.stream (gVisor)", once: () => firstStreamedMs(coldPeer, "gvisor", false) },
      { label: "warm pool run.create+start → first chunk on run.logs.stream (gVisor)", once: () => firstStreamedMs(warmPeer, "gvisor", true) },
      { label: "floor: the engine's exec into a running container → first output byte (runc)", once: () => engineExecMs(floors.none) },
      { label: "floor: the engine's exec into a running container → first output byte (gVisor)", once: () => engineExecMs(floors.gvisor) },
    ]);
    coldPeer.close();
    warmPeer.close();
    // Each row against the cold file-byte row of its runtime: rows 0-3 and 4-7 pair cold/warm per runtime, the two floors follow.
    const coldOf = (index: number) => (index < 8 ? rows[(index % 4) - (index % 2)] : rows[(index - 8) * 2]) as BenchRow;
    return rows.map((row, index) => ({ ...row, ratio: row.median / coldOf(index).median }));
  } finally {
    for (const id of Object.values(floors)) await docker.getContainer(id).remove({ force: true });
    await cold.stop();
    await warm.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable("Warm pool at the agent: run.create+start → first output byte (ratio: to cold on the same runtime)", await benchWarmPoolAgent());
}
