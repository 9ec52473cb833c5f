import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AgentRun, RpcPeer } from "@bailey/protocol";
import { type AgentProcess, docker, networkExists, startAgent, until } from "../src/testing";

const image = "bailey-test/busybox:latest";

describe("spare run networks (real Docker): made ahead, each taken by one run, gone with it", () => {
  const hostId = `spare-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  /** Networks runs took (they keep the spare label): not part of the reserve. */
  const taken = new Set<string>();
  const spares = async () =>
    (await docker.listNetworks({ filters: { label: [`bailey.host-id=${hostId}`, "bailey.role=spare-network"] } }))
      .map((network) => network.Id)
      .filter((id) => !taken.has(id))
      .sort();
  const twoReady = () => until("two spare networks", async () => ((await spares()).length === 2 ? spares() : null));
  const runTo = async (runId: string, command: string[], end = true): Promise<AgentRun> => {
    await peer.request("run.create", { runId, spec: { image, sandbox: "none", command } as never }, { timeoutMs: 120_000 });
    await peer.request("run.start", { runId }, { timeoutMs: 60_000 });
    const started = await peer.request("run.inspect", { runId });
    if (started.networkId) taken.add(started.networkId);
    if (!end) return started;
    return until(`run ${runId} to end`, async () => {
      const run = await peer.request("run.inspect", { runId });
      return run.state === "exited" ? run : null;
    });
  };

  before(async () => {
    agent = await startAgent({ hostId, allow: ["sandbox:none"], spareNetworks: 2 });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  it("a cold run runs on a spare, the reserve refills with new ones, and the run's end removes the one it took", async () => {
    const ready = await twoReady();
    const runId = `spare-a-${randomBytes(3).toString("hex")}`;
    const run = await runTo(runId, ["sh", "-c", "echo on a spare"]);
    assert.equal(run.exitCode, 0);
    assert.ok(run.networkId && ready.includes(run.networkId), `run ${runId} ran on ${run.networkId}, not one of the spares ${ready.join(", ")}`);
    assert.match(run.networkName ?? "", /^bailey-spare-/);
    const refilled = await twoReady();
    assert.equal(refilled.filter((id) => ready.includes(id)).length, 1, "the reserve is the untaken spare and a new one");
    const log = await until("the run's complete log", async () => {
      const read = await peer.request("run.logs.read", { runId, offset: 0, length: 4096 });
      return read.complete ? Buffer.from(read.data, "base64").toString("utf8") : null;
    });
    assert.equal(log, "on a spare\n");
    await peer.request("run.destroy", { runId }, { timeoutMs: 60_000 });
    assert.equal(await networkExists(run.networkId!), false, "the spare the run took went with it");
  });

  it("three runs at once (one more than the reserve) never share a network, spare or made for the run", async () => {
    await twoReady();
    const ids = Array.from({ length: 3 }, (_, index) => `spare-b${index}-${randomBytes(3).toString("hex")}`);
    const runs = await Promise.all(ids.map((runId) => runTo(runId, ["sleep", "30"], false)));
    for (const run of runs) taken.add(run.networkId!);
    const networks = runs.map((run) => run.networkId);
    assert.equal(new Set(networks).size, 3, `each run its own network: ${networks.join(", ")}`);
    assert.ok(
      runs.every((run) => run.networkName),
      "every run has a network",
    );
    assert.ok(
      runs.some((run) => run.networkName?.startsWith("bailey-spare-")),
      `some run took a spare: ${runs.map((run) => run.networkName).join(", ")}`,
    );
    // Reconcile with these runs owned keeps their networks and the reserve; with none owned, the runs' go and the reserve stays.
    await peer.request("host.reconcile", { ownedRunIds: ids });
    for (const network of networks) assert.equal(await networkExists(network!), true);
    const reserve = await twoReady();
    await peer.request("host.reconcile", { ownedRunIds: [] }, { timeoutMs: 120_000 });
    for (const network of networks) assert.equal(await networkExists(network!), false, `${network} outlived its unowned run`);
    assert.deepEqual(await spares(), reserve, "reconcile leaves the ready spares alone");
  });

  it("after an agent restart the spares a run took stay that run's, the rest are made afresh", async () => {
    const before = await twoReady();
    const runId = `spare-c-${randomBytes(3).toString("hex")}`;
    const run = await runTo(runId, ["sleep", "30"], false);
    assert.ok(run.networkId && before.includes(run.networkId));
    const untaken = await twoReady();
    await agent.restart();
    peer.close();
    peer = await agent.connect();
    const after = await twoReady();
    assert.equal(await networkExists(run.networkId!), true, "the running run keeps its network");
    for (const id of untaken) assert.ok(!after.includes(id), "the previous agent's untaken spares are not taken over");
    await peer.request("run.destroy", { runId }, { timeoutMs: 60_000 });
    assert.equal(await networkExists(run.networkId!), false);
  });
});
