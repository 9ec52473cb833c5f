import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RpcPeer } from "@bailey/protocol";
import { type AgentProcess, docker, ensureStandinImage, resourcesOf, standinImage, startAgent } from "../src/testing";

async function eventsFor(peer: RpcPeer, runId: string) {
  const { events } = await peer.request("events.pull", { afterSeq: 0, limit: 10_000 });
  return events.filter((event) => event.runId === runId);
}

describe("an agent killed and restarted", () => {
  const hostId = `restart-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;

  before(async () => {
    await ensureStandinImage();
  });
  after(async () => {
    await agent?.stop();
  });

  it("SIGKILL mid-provisioning: the restarted agent removes what was made and records the run failed", async () => {
    agent = await startAgent({ hostId, buildkitImage: standinImage, dindPrivileged: false, faultStepDelayMs: 1500, allow: ["docker:dind", "sandbox:none"] });
    const peer = await agent.connect();
    const runId = `killed-${randomBytes(4).toString("hex")}`;
    const creating = peer.request("run.create", { runId, spec: { image: "bailey-test/busybox:latest", command: ["true"], dependencies: ["docker:dind"], sandbox: "none" } }, { timeoutMs: 60_000 });
    creating.catch(() => undefined);
    for (let i = 0; i < 100; i++) {
      if ((await resourcesOf(runId)).containers.includes(`bailey-buildkit-${runId}`)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const midway = await resourcesOf(runId);
    assert.deepEqual(midway, { containers: [`bailey-buildkit-${runId}`], networks: [`bailey-${runId}`] }, "killed after the sidecar started, before the main container");
    await agent.kill("SIGKILL");
    await assert.rejects(creating);

    await agent.restart({ faultStepDelayMs: 0 });
    const again = await agent.connect();
    const run = await again.request("run.inspect", { runId });
    assert.equal(run.state, "failed");
    assert.match(run.error ?? "", /stopped while provisioning/);
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] }, "no orphaned container or network");
    const types = (await eventsFor(again, runId)).map((event) => event.type);
    assert.deepEqual(types.slice(0, 2), ["run.created", "network.created"], "the journal kept the steps made before the kill");
    assert.ok(types.includes("sidecar.stopped") && types.includes("network.removed"), `the clean-up is journaled: ${types.join(", ")}`);
    assert.equal(types.at(-1), "run.failed");
    const removed = await again.request("host.reconcile", { ownedRunIds: [runId] });
    assert.deepEqual(removed.removed, []);
    again.close();
  });

  it("SIGKILL mid-run: supervision resumes and the exit is recorded with its code", async () => {
    const peer = await agent.connect();
    const runId = `resume-${randomBytes(4).toString("hex")}`;
    await peer.request("run.create", { runId, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "sleep 3; exit 5"], sandbox: "gvisor" } });
    await peer.request("run.start", { runId });
    const lastSeqBefore = (await peer.request("events.pull", { afterSeq: 0, limit: 1 })).lastSeq;
    await agent.kill("SIGKILL");

    await agent.restart({ faultStepDelayMs: 0 });
    const again = await agent.connect();
    assert.equal((await again.request("agent.hello", { protocolVersion: 1, client: "t" })).runningRuns.includes(runId), true);
    let run = await again.request("run.inspect", { runId });
    for (let i = 0; i < 100 && run.state === "running"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await again.request("run.inspect", { runId });
    }
    assert.deepEqual({ state: run.state, exitCode: run.exitCode }, { state: "exited", exitCode: 5 });
    const { events, lastSeq } = await again.request("events.pull", { afterSeq: lastSeqBefore, limit: 100 });
    assert.ok(lastSeq > lastSeqBefore, "the sequence resumed where it left off");
    assert.ok(events.some((event) => event.runId === runId && event.type === "container.exited" && event.data.exitCode === 5));
    again.close();
  });

  it("reconcile removes labelled resources of runs nobody owns, and never touches unlabelled ones", async () => {
    const peer = await agent.connect();
    const ghost = `ghost-${randomBytes(4).toString("hex")}`;
    const ghostNetwork = await docker.createNetwork({ Name: `bailey-${ghost}`, Labels: { "bailey.managed": "true", "bailey.run-id": ghost, "bailey.host-id": hostId } });
    const ghostContainer = await docker.createContainer({
      name: `bailey-${ghost}`,
      Image: "bailey-test/busybox:latest",
      Cmd: ["sleep", "60"],
      Labels: { "bailey.managed": "true", "bailey.run-id": ghost, "bailey.role": "main", "bailey.host-id": hostId },
    });
    const bystander = await docker.createContainer({ name: `not-bailey-${ghost}`, Image: "bailey-test/busybox:latest", Cmd: ["sleep", "60"] });
    try {
      const kept = (await peer.request("run.inspect", { runId: (await peer.request("agent.hello", { protocolVersion: 1, client: "t" })).runningRuns[0] ?? "none" }).catch(() => null))?.runId;
      const { removed } = await peer.request("host.reconcile", { ownedRunIds: kept ? [kept] : [] });
      const names = removed.map((resource) => `${resource.kind}:${resource.name}`);
      assert.ok(names.includes(`container:bailey-${ghost}`));
      assert.ok(names.includes(`network:bailey-${ghost}`));
      assert.deepEqual(await resourcesOf(ghost), { containers: [], networks: [] });
      assert.equal((await bystander.inspect()).Name, `/not-bailey-${ghost}`, "the unlabelled container is untouched");
      const { events } = await peer.request("events.pull", { afterSeq: 0, limit: 10_000 });
      assert.ok(events.some((event) => event.type === "resource.removed" && event.runId === ghost));
    } finally {
      await bystander.remove({ force: true });
      await ghostContainer.remove({ force: true }).catch(() => undefined);
      await ghostNetwork.remove().catch(() => undefined);
      peer.close();
    }
  });
});
