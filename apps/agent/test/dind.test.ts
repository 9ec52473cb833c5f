import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RpcPeer } from "@bailey/protocol";
import { type AgentProcess, docker, ensureStandinImage, resourcesOf, standinImage, startAgent } from "../src/testing";

async function waitForState(peer: RpcPeer, runId: string, states: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await peer.request("run.inspect", { runId });
    if (states.includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("a docker:dind run on the real engine, end to end", () => {
  const hostId = `test-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;

  before(async () => {
    await ensureStandinImage();
    // This machine's kernel withholds CAP_SYS_RESOURCE from dockerd, so no privileged container
    // can start here; the privileged default is pinned in run-manager.test.ts.
    agent = await startAgent({ hostId, buildkitImage: standinImage, dindPrivileged: false, allow: ["docker:dind", "sandbox:none"] });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  it("provisions network and BuildKit sidecar, reaches buildkit:1234, and tears both down when the main container exits", async () => {
    const runId = `dind-${randomBytes(4).toString("hex")}`;
    const spec = {
      image: "bailey-test/busybox:latest",
      command: ["sh", "-c", "echo BUILDKIT_HOST=$BUILDKIT_HOST; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 buildkit 1234 | grep -q 'stand-in ready' && echo reached-buildkit"],
      dependencies: ["docker:dind" as const],
      sandbox: "none" as const,
    };
    const created = await peer.request("run.create", { runId, spec });
    assert.equal(created.state, "created");
    assert.equal(created.networkName, `bailey-${runId}`);
    assert.deepEqual(await peer.request("run.create", { runId, spec }), created, "a retried create returns the same run, never a second container");

    const network = await docker.getNetwork(`bailey-${runId}`).inspect();
    assert.deepEqual({ run: network.Labels?.["bailey.run-id"], role: network.Labels?.["bailey.role"], host: network.Labels?.["bailey.host-id"] }, { run: runId, role: "network", host: hostId });
    const sidecar = await docker.getContainer(`bailey-buildkit-${runId}`).inspect();
    assert.equal(sidecar.State.Running, true);
    assert.equal(sidecar.Config.Hostname, "buildkit");
    assert.deepEqual([sidecar.Config.Labels["bailey.run-id"], sidecar.Config.Labels["bailey.role"], sidecar.Config.Labels["bailey.host-id"]], [runId, "buildkit", hostId]);
    assert.deepEqual(sidecar.Config.Cmd, ["--addr", "tcp://0.0.0.0:1234"]);
    assert.equal((sidecar.HostConfig as { Runtime?: string }).Runtime, "runc", "the sidecar uses the main container's OCI runtime");
    assert.deepEqual(sidecar.HostConfig.LogConfig, { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } }, "the sidecar's log is capped like every container's");
    assert.deepEqual(Object.keys(sidecar.NetworkSettings.Networks), [`bailey-${runId}`], "the sidecar is on the run's network only");
    const main = await docker.getContainer(`bailey-${runId}`).inspect();
    assert.ok(main.Config.Env.includes("BUILDKIT_HOST=tcp://buildkit:1234"));
    assert.equal(main.HostConfig.Privileged, false, "BAILEY_DIND_PRIVILEGED=false is honoured");
    assert.equal(main.Config.Labels["bailey.role"], "main");

    await peer.request("run.start", { runId });
    const finished = await waitForState(peer, runId, ["exited", "failed"]);
    assert.equal(finished.exitCode, 0);
    assert.equal(finished.state, "exited");

    let logs = "";
    const stream = peer.openStream("run.logs", { runId });
    for await (const chunk of stream.chunks) logs += chunk.data.toString();
    assert.match(logs, /BUILDKIT_HOST=tcp:\/\/buildkit:1234/);
    assert.match(logs, /reached-buildkit/);

    assert.deepEqual(await resourcesOf(runId), { containers: [`bailey-${runId}`], networks: [] }, "sidecar and network are gone; the main container stays for its logs");

    const { events } = await peer.request("events.pull", { afterSeq: 0, limit: 1000 });
    const steps = events.filter((event) => event.runId === runId).map((event) => (event.type === "run.state" ? `run.state:${String(event.data.state)}` : event.type));
    assert.deepEqual(steps, [
      "run.created",
      "network.created",
      "sidecar.started",
      "container.created",
      "run.state:created",
      "container.started",
      "container.exited",
      "sidecar.stopped",
      "network.removed",
      "run.state:exited",
    ]);
    const seqs = events.map((event) => event.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      "sequence numbers are monotonic",
    );

    const destroyed = await peer.request("run.destroy", { runId });
    assert.ok(destroyed.removed.includes(`bailey-${runId}`));
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] });
  });

  it("refuses a bare docker dependency with both modes named, before creating anything", async () => {
    const runId = `bare-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      peer.request("run.create", { runId, spec: { image: "bailey-test/busybox:latest", dependencies: ["docker" as never] } }),
      (error: Error & { code?: number }) => error.code === -32602 && /docker:host/.test(error.message) && /docker:dind/.test(error.message),
    );
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] });
  });

  it("a sidecar image that is missing fails provisioning and removes the network it made", async () => {
    const runId = `nosc-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      peer.request(
        "run.create",
        { runId, spec: { image: "bailey-test/busybox:latest", dependencies: ["docker:dind"], sandbox: "none", buildkitImage: "bailey-test/no-such-buildkit:latest" } },
        { timeoutMs: 60_000 },
      ),
      /could not be pulled|removed/,
    );
    assert.equal((await peer.request("run.inspect", { runId })).state, "failed");
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] });
  });

  it("a run past its timeout is stopped and marked timed out", async () => {
    const runId = `slow-${randomBytes(4).toString("hex")}`;
    await peer.request("run.create", { runId, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "300"], sandbox: "gvisor", resources: { timeoutSeconds: 1 } } });
    await peer.request("run.start", { runId });
    const run = await waitForState(peer, runId, ["timed_out", "exited", "failed"], 30_000);
    assert.equal(run.state, "timed_out");
    const { events } = await peer.request("events.pull", { afterSeq: 0, limit: 1000 });
    assert.ok(events.some((event) => event.runId === runId && event.type === "run.timed_out"));
  });
});
