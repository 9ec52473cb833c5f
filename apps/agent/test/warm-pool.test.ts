import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AgentRun, PoolStatus, RpcPeer, RunSpec } from "@bailey/protocol";
import { type AgentProcess, docker, networkExists, startAgent, until } from "../src/testing";

const image = "bailey-test/busybox:latest";

async function poolOf(peer: RpcPeer, poolId: string): Promise<PoolStatus> {
  const { pools } = await peer.request("pool.status", {});
  return pools.find((pool) => pool.poolId === poolId) as PoolStatus;
}

async function full(peer: RpcPeer, poolId: string, size: number): Promise<PoolStatus> {
  try {
    return await until(`pool ${poolId} full`, async () => ((await poolOf(peer, poolId)).idle === size ? poolOf(peer, poolId) : null));
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(await poolOf(peer, poolId))}`);
  }
}

async function finished(peer: RpcPeer, runId: string, timeoutMs = 60_000): Promise<AgentRun> {
  return until(
    `run ${runId} to end`,
    async () => {
      const run = await peer.request("run.inspect", { runId });
      return ["exited", "failed", "timed_out"].includes(run.state) ? run : null;
    },
    timeoutMs,
  );
}

async function logOf(peer: RpcPeer, runId: string): Promise<string> {
  return until(`run ${runId}'s complete log`, async () => {
    const read = await peer.request("run.logs.read", { runId, offset: 0, length: 1024 * 1024 });
    return read.complete ? Buffer.from(read.data, "base64").toString("utf8") || " " : null;
  });
}

const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
const poolContainers = async (hostId: string, poolId: string) =>
  (await docker.listContainers({ all: true, filters: { label: [`bailey.host-id=${hostId}`, `bailey.pool-id=${poolId}`] } })).map((row) => row.Id);

for (const sandbox of ["none", "gvisor"] as const) {
  describe(`warm pool (real Docker, ${sandbox === "none" ? "runc" : "gVisor"})`, () => {
    const hostId = `warm-${sandbox}-${randomBytes(3).toString("hex")}`;
    const poolId = `p-${sandbox}`;
    let agent: AgentProcess;
    let peer: RpcPeer;
    const spec = (extra: Partial<RunSpec> = {}) => ({ image, sandbox, ...extra });

    before(async () => {
      agent = await startAgent({ hostId, allow: ["sandbox:none"] });
      peer = await agent.connect();
      const configured = await peer.request("pool.configure", { pools: [{ poolId, image, sandbox, size: 2 }] });
      assert.equal(configured.pools[0]?.size, 2);
      await full(peer, poolId, 2);
    });
    after(async () => {
      peer?.close();
      await agent?.stop();
    });

    it("a matching run with its own user takes an idle container and is exec'd there: its output, exit code, env, user and workdir are the run's; the container goes after it and the pool refills", async () => {
      const idleBefore = await poolContainers(hostId, poolId);
      const runId = `w-${randomBytes(4).toString("hex")}`;
      const created = await peer.request("run.create", {
        runId,
        spec: spec({ command: ["sh", "-c", 'sleep 1; echo out; echo err >&2; echo "$GREETING $BAILEY_RUN_ID"; id -u; pwd; exit 7'], env: { GREETING: "hi" }, user: "1234", workdir: "/tmp" }),
      });
      assert.deepEqual(created.warm, { poolId });
      assert.ok(idleBefore.includes(created.containerId as string), "the run's container is one the pool started");
      assert.ok(created.networkId && (await networkExists(created.networkId)), "the pool container's own network is the run's");
      await peer.request("run.start", { runId });
      assert.ok(((await docker.getContainer(created.containerId as string).inspect()).ExecIDs ?? []).length > 0, "another user than the container's: exec'd");
      const run = await finished(peer, runId);
      assert.equal(run.state, "exited");
      assert.equal(run.exitCode, 7);
      const log = await logOf(peer, runId);
      assert.match(log, /^out$/m);
      assert.match(log, /^err$/m);
      assert.match(log, new RegExp(`^hi ${runId}$`, "m"));
      assert.match(log, /^1234$/m);
      assert.match(log, /^\/tmp$/m);
      assert.equal(await exists(created.containerId as string), false, "a claimed container is removed after its run");
      assert.equal(await networkExists(created.networkId as string), false, "and its network");
      const refilled = await full(peer, poolId, 2);
      assert.equal(refilled.claimedTotal, 1);
      assert.ok(!(await poolContainers(hostId, poolId)).includes(created.containerId as string), "never handed out again");
      await peer.request("run.destroy", { runId });
    });

    it("a run as the image's user is started by the container's launcher, no exec: its command is the main process, with the run's env (quotes and newlines intact), workdir and exit code", async () => {
      await full(peer, poolId, 2);
      const runId = `l-${randomBytes(4).toString("hex")}`;
      const tricky = 'it\'s "quoted"\nand $NOT_EXPANDED `nor this`';
      const created = await peer.request("run.create", {
        runId,
        spec: spec({ command: ["sh", "-c", 'printf "%s|" "$TRICKY"; echo "$BAILEY_RUN_ID"; pwd; echo "pid $$"; exit 3'], env: { TRICKY: tricky }, workdir: "/tmp" }),
      });
      assert.deepEqual(created.warm, { poolId });
      await peer.request("run.start", { runId });
      const run = await finished(peer, runId);
      assert.equal(run.state, "exited");
      assert.equal(run.exitCode, 3);
      const log = await logOf(peer, runId);
      assert.ok(log.startsWith(`${tricky}|${runId}\n/tmp\n`), JSON.stringify(log));
      assert.match(log, /^pid 1$/m, "the run's command replaced the launcher as the container's main process");
      assert.equal(await exists(created.containerId as string), false, "the container goes after the run");
      await peer.request("run.destroy", { runId });
    });

    it("a launched run never goes through the engine's exec, and a command the image lacks ends it with 127 and the shell's reason in its log", async () => {
      await full(peer, poolId, 2);
      const runId = `m-${randomBytes(4).toString("hex")}`;
      const created = await peer.request("run.create", { runId, spec: spec({ command: ["sh", "-c", "sleep 1; no-such-command-here"] }) });
      await peer.request("run.start", { runId });
      assert.deepEqual((await docker.getContainer(created.containerId as string).inspect()).ExecIDs ?? [], [], "no exec into a launched run's container");
      const run = await finished(peer, runId);
      assert.equal(run.exitCode, 127);
      assert.match(await logOf(peer, runId), /no-such-command-here/);
      await peer.request("run.destroy", { runId });
    });

    it("a run that does not match the pool never claims: it takes the normal path", async () => {
      const before = (await poolOf(peer, poolId)).claimedTotal;
      for (const extra of [{ resources: { cpus: 0.5 } }, { image: "bailey-test/git:latest" }, { network: { policy: "open" as const, allow: ["example.com"] } }]) {
        const runId = `n-${randomBytes(4).toString("hex")}`;
        const created = await peer.request("run.create", { runId, spec: spec({ command: ["true"], ...extra }) });
        assert.equal(created.warm, undefined, JSON.stringify(extra));
        await peer.request("run.destroy", { runId });
      }
      assert.equal((await poolOf(peer, poolId)).claimedTotal, before);
    });

    it("stop gives a warm run's process SIGTERM and its grace, then ends it; the container goes", async () => {
      await full(peer, poolId, 2);
      const runId = `s-${randomBytes(4).toString("hex")}`;
      const created = await peer.request("run.create", { runId, spec: spec({ command: ["sh", "-c", 'trap "echo term; exit 5" TERM; echo ready; while true; do sleep 0.1; done'] }) });
      assert.ok(created.warm);
      await peer.request("run.start", { runId });
      await until("ready", async () => Buffer.from((await peer.request("run.logs.read", { runId, offset: 0, length: 1024 })).data, "base64").includes("ready"));
      const stopped = await peer.request("run.stop", { runId, graceSeconds: 10 }, { timeoutMs: 30_000 });
      assert.equal(stopped.state, "exited");
      assert.equal(stopped.exitCode, 5);
      assert.match(await logOf(peer, runId), /term/);
      assert.equal(await exists(created.containerId as string), false);
      await peer.request("run.destroy", { runId });
    });

    it("a warm run past its timeout is timed_out and its container removed", async () => {
      await full(peer, poolId, 2);
      const runId = `t-${randomBytes(4).toString("hex")}`;
      const created = await peer.request("run.create", { runId, spec: spec({ command: ["sleep", "300"], resources: { timeoutSeconds: 1 } }) });
      assert.ok(created.warm, "the timeout does not keep a run from matching");
      await peer.request("run.start", { runId });
      const run = await finished(peer, runId, 30_000);
      assert.equal(run.state, "timed_out");
      assert.equal(await exists(created.containerId as string), false);
      await peer.request("run.destroy", { runId });
    });

    it("pool.configure without the pool drains it", async () => {
      await full(peer, poolId, 2);
      await peer.request("pool.configure", { pools: [] });
      assert.deepEqual((await peer.request("pool.status", {})).pools, []);
      await until("the pool's containers removed", async () => (await poolContainers(hostId, poolId)).length === 0);
    });
  });
}

describe("warm pool: reconcile and agent restarts (runc)", () => {
  const hostId = `warm-restart-${randomBytes(3).toString("hex")}`;
  const poolId = "restart";
  let agent: AgentProcess;
  let peer: RpcPeer;
  const configure = () => peer.request("pool.configure", { pools: [{ poolId, image, sandbox: "none", size: 2 }] });

  before(async () => {
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peer = await agent.connect();
    await configure();
    await full(peer, poolId, 2);
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  it("attach to a warm run is refused, saying why; reconcile leaves idle pool containers and a running warm run's container alone; it removes a claimed container no run owns", async () => {
    const runId = `rc-${randomBytes(4).toString("hex")}`;
    const created = await peer.request("run.create", { runId, spec: { image, sandbox: "none", command: ["sleep", "300"] } });
    assert.ok(created.warm);
    await peer.request("run.start", { runId });
    await full(peer, poolId, 2);
    const idle = await poolContainers(hostId, poolId);
    await assert.rejects(peer.openStream("exec.open", { sessionId: `s-${randomBytes(4).toString("hex")}`, runId, attach: true }).result, (error: Error) =>
      /warm pool's container, whose main process's input is not the run's/.test(error.message),
    );
    assert.equal((await peer.request("run.exec", { runId, command: ["true"] })).exitCode, 0, "run.exec reaches a warm run's container");
    const kept = await peer.request("host.reconcile", { ownedRunIds: [runId] });
    assert.deepEqual(kept.removed, [], "nothing of the pool nor of an owned warm run is removed");
    for (const id of idle) assert.ok(await exists(id));
    const removed = await peer.request("host.reconcile", { ownedRunIds: [] });
    assert.deepEqual(removed.removed.map((resource) => resource.runId).sort(), [runId, runId], "the unowned warm run's container and network, under its run id");
    assert.equal(await exists(created.containerId as string), false);
    assert.equal((await poolOf(peer, poolId)).idle, 2, "the idle containers stay");
  });

  it("a launched warm run outlives an agent restart: the new agent follows it to its end, its exit code and its whole log", async () => {
    await full(peer, poolId, 2);
    const runId = `rl-${randomBytes(4).toString("hex")}`;
    const created = await peer.request("run.create", { runId, spec: { image, sandbox: "none", command: ["sh", "-c", "echo before; sleep 3; echo after; exit 4"] } });
    assert.ok(created.warm);
    await peer.request("run.start", { runId });
    await until("its first line", async () => Buffer.from((await peer.request("run.logs.read", { runId, offset: 0, length: 1024 })).data, "base64").includes("before"));
    peer.close();
    await agent.restart();
    peer = await agent.connect();
    const run = await finished(peer, runId);
    assert.equal(run.state, "exited");
    assert.equal(run.exitCode, 4);
    assert.equal(await logOf(peer, runId), "before\nafter\n");
    assert.equal(await exists(created.containerId as string), false, "its container goes at its end, as any warm run's");
    await peer.request("run.destroy", { runId });
    await configure();
  });

  it("a pool with its own idle command runs each run's command by exec", async () => {
    await peer.request("pool.configure", { pools: [{ poolId, image, sandbox: "none", size: 1, idleCommand: ["sleep", "infinity"] }] });
    await until("the pool with its idle command", async () => {
      const containers = await docker.listContainers({ filters: { label: [`bailey.host-id=${hostId}`, `bailey.pool-id=${poolId}`] } });
      return containers.length === 1 && containers[0]?.Command.startsWith("sleep") ? true : null;
    });
    await full(peer, poolId, 1);
    const runId = `ri-${randomBytes(4).toString("hex")}`;
    const created = await peer.request("run.create", { runId, spec: { image, sandbox: "none", command: ["sh", "-c", "sleep 1; echo exec"] } });
    assert.ok(created.warm);
    await peer.request("run.start", { runId });
    assert.ok(((await docker.getContainer(created.containerId as string).inspect()).ExecIDs ?? []).length > 0);
    assert.equal((await finished(peer, runId)).exitCode, 0);
    assert.equal(await logOf(peer, runId), "exec\n");
    await peer.request("run.destroy", { runId });
    await configure();
  });

  it("a restarted agent removes the idle containers it had and refills the pool once configured", async () => {
    await full(peer, poolId, 2);
    const before = await poolContainers(hostId, poolId);
    peer.close();
    await agent.restart();
    peer = await agent.connect();
    for (const id of before) assert.equal(await exists(id), false, "an idle container of the previous process is gone");
    assert.deepEqual((await peer.request("pool.status", {})).pools, [], "no pool until the control plane configures it");
    await configure();
    await full(peer, poolId, 2);
    const after = await poolContainers(hostId, poolId);
    assert.equal(after.filter((id) => before.includes(id)).length, 0);
  });
});

describe("warm pool: 200 concurrent run.create from two connections on a pool of 20 (runc)", () => {
  const hostId = `warm-race-${randomBytes(3).toString("hex")}`;
  const poolId = "race";
  let agent: AgentProcess;
  let peers: RpcPeer[] = [];

  before(async () => {
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peers = [await agent.connect(), await agent.connect()];
    await peers[0]?.request("pool.configure", { pools: [{ poolId, image, sandbox: "none", size: 20 }] });
    await full(peers[0] as RpcPeer, poolId, 20);
  });
  after(async () => {
    for (const peer of peers) peer.close();
    await agent?.stop();
  });

  it("claims each pooled container exactly once; the other runs take the normal path", async () => {
    const pooled = new Set(await poolContainers(hostId, poolId));
    assert.equal(pooled.size, 20);
    const runIds = Array.from({ length: 200 }, (_, i) => `race-${i}-${randomBytes(3).toString("hex")}`);
    const settled = await Promise.allSettled(
      runIds.map((runId, i) => (peers[i % 2] as RpcPeer).request("run.create", { runId, spec: { image, sandbox: "none", command: ["true"] } }, { timeoutMs: 600_000 })),
    );
    const created = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    // The normal path needs a network per run: past the engine's ~30 default address pools they come from the agent's own range (BAILEY_RUN_SUBNETS).
    const refused = settled.flatMap((result) => (result.status === "rejected" ? [(result.reason as Error).message] : []));
    assert.deepEqual(refused.slice(0, 3), [], `${refused.length} of 200 refused`);
    const warm = created.filter((run) => run.warm);
    const warmIds = warm.map((run) => run.containerId as string);
    console.log(`# ${warm.length} of 200 runs claimed a warm container; ${created.length - warm.length} took the normal path, each with its own network`);
    assert.equal(new Set(warmIds).size, warmIds.length, "no container was given to two runs");
    for (const id of pooled) assert.ok(warmIds.includes(id), "every container pooled before the burst was claimed");
    assert.equal(warm.length, (await poolOf(peers[0] as RpcPeer, poolId)).claimedTotal, "claimedTotal counts every claim");
    // Only a refill finished during the burst can make more than the 20.
    assert.ok(warm.length >= 20);
    const normal = created.filter((run) => !run.warm);
    assert.equal(new Set([...normal.map((run) => run.containerId), ...warmIds]).size, created.length, "distinct containers, one per run");
    for (let at = 0; at < runIds.length; at += 20) await Promise.all(runIds.slice(at, at + 20).map((runId) => (peers[0] as RpcPeer).request("run.destroy", { runId }, { timeoutMs: 120_000 })));
    for (const id of warmIds) assert.equal(await exists(id), false, "a claimed container never comes back to the pool");
  });
});
