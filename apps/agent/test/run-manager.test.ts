import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { RpcError, rpcErrorCodes, runSpec } from "@bailey/protocol";
import { conformanceBehaviour, MockRuntime } from "@bailey/runtime/testing";

// buildkitd keeps running; everything else behaves as in the conformance suite.
const behaviour = (command: string[]) => (command[0] === "--addr" ? { longRunning: true } : conformanceBehaviour(command));
import { readAgentEnv } from "../src/env";
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";

describe("RunManager logic (Mock runtime)", () => {
  let dir = "";
  let journal: Journal;
  const manager = async (runtime: MockRuntime, allowed: string[] = ["docker:dind", "sandbox:none", "docker:host"]) =>
    new RunManager({
      runtime,
      journal,
      store: await RunStore.open(dir),
      hostId: "h",
      buildkitImage: "moby/buildkit:latest",
      sidecarReadyTimeoutMs: 1000,
      allowed,
    });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-rm-"));
    journal = await Journal.open(dir);
  });
  afterEach(async () => {
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("docker:dind runs the main container and the BuildKit sidecar privileged by default, with the default image", async () => {
    const runtime = new MockRuntime({ behaviour });
    const runs = await manager(runtime);
    await runs.create("r1", runSpec.parse({ image: "agent:latest", dependencies: ["docker:dind"] }));
    const creates = runtime.calls.filter((call) => call.method === "createContainer").map((call) => call.args[0] as { name: string; privileged?: boolean; image: string; sandbox: string });
    assert.deepEqual(
      creates.map(({ name, privileged, image, sandbox }) => ({ name, privileged, image, sandbox })),
      [
        { name: "bailey-buildkit-r1", privileged: true, image: "moby/buildkit:latest", sandbox: "gvisor" },
        { name: "bailey-r1", privileged: true, image: "agent:latest", sandbox: "gvisor" },
      ],
    );
  });

  it("docker:host mounts the engine socket and nothing else is privileged", async () => {
    const runtime = new MockRuntime({ behaviour });
    await (await manager(runtime)).create("r2", runSpec.parse({ image: "agent:latest", dependencies: ["docker:host"] }));
    const create = runtime.calls.find((call) => call.method === "createContainer")?.args[0] as { mountEngineSocket?: boolean; privileged?: boolean; env: Record<string, string> };
    assert.equal(create.mountEngineSocket, true);
    assert.equal(create.privileged, false);
    assert.equal(create.env.DOCKER_HOST, "unix:///var/run/docker.sock");
  });

  it("a runtime without sidecars refuses dind before creating anything, naming the runtime", async () => {
    const runtime = new MockRuntime({ features: { sidecars: false } });
    await assert.rejects((await manager(runtime)).create("r3", runSpec.parse({ image: "a", dependencies: ["docker:dind"] })), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
      assert.match(error.message, /The mock runtime does not support sidecars/);
      return true;
    });
    assert.deepEqual(
      runtime.calls.filter((call) => call.method !== "ping"),
      [],
    );
  });

  it("a host whose BAILEY_ALLOW lacks what a run asks for refuses it before creating anything, saying which line to add", async () => {
    const runtime = new MockRuntime({ behaviour });
    const runs = await manager(runtime, ["docker:dind"]);
    await assert.rejects(runs.create("r9", runSpec.parse({ image: "a", dependencies: ["docker:host"], sandbox: "none" })), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, rpcErrorCodes.refused);
      assert.match(error.message, /^Host h does not allow sandbox:none or docker:host \(its BAILEY_ALLOW is docker:dind\)/);
      assert.match(error.message, /put BAILEY_ALLOW=docker:dind,sandbox:none,docker:host in \/etc\/bailey\/agent\.env on that host and restart the agent/);
      assert.deepEqual(error.data, { runId: "r9", refused: ["sandbox:none", "docker:host"], allowed: ["docker:dind"], setting: "BAILEY_ALLOW" });
      return true;
    });
    assert.deepEqual(
      runtime.calls.filter((call) => call.method !== "ping"),
      [],
    );
    assert.throws(() => runs.inspect("r9"), /not on this host/);
    // What it does allow goes through.
    await runs.create("r10", runSpec.parse({ image: "a", dependencies: ["docker:dind"] }));
  });

  it("BAILEY_ALLOW is a comma list of known escalations; anything else stops the agent at start-up, listing the valid ones", () => {
    assert.deepEqual(readAgentEnv({ BAILEY_ALLOW: " docker:dind, sandbox:none ,docker:dind" }).BAILEY_ALLOW, ["docker:dind", "sandbox:none"]);
    assert.deepEqual(readAgentEnv({}).BAILEY_ALLOW, []);
    assert.throws(() => readAgentEnv({ BAILEY_ALLOW: "docker:dind,privileged" }), /BAILEY_ALLOW lists privileged; allowed values are docker:dind, sandbox:none, docker:host/);
  });

  it("create is idempotent on the run ID, and refuses the same ID with another spec", async () => {
    const runtime = new MockRuntime({ behaviour });
    const runs = await manager(runtime);
    const spec = runSpec.parse({ image: "a", command: ["true"] });
    const first = await runs.create("r4", spec);
    assert.deepEqual(await runs.create("r4", spec), first);
    assert.equal(runtime.calls.filter((call) => call.method === "createContainer").length, 1);
    await assert.rejects(runs.create("r4", { ...spec, image: "b" }), (error: RpcError) => error.code === rpcErrorCodes.conflict);
  });

  it("every run, not only docker:dind, gets its own network before its container, and a failed create removes it", async () => {
    const runtime = new MockRuntime({ behaviour, sandbox: false });
    const runs = await manager(runtime);
    const created = await runs.create("r5", runSpec.parse({ image: "a", sandbox: "none" }));
    assert.equal(created.networkName, "bailey-r5");
    const steps = runtime.calls.filter((call) => call.method !== "ping").map((call) => call.method);
    assert.deepEqual(steps.slice(0, 3), ["pullImage", "createNetwork", "createContainer"], "the image first: a failed pull leaves nothing to undo");
    const create = runtime.calls.find((call) => call.method === "createContainer")?.args[0] as { network?: string } | undefined;
    assert.equal(create?.network, "bailey-r5");

    // The Mock has no gVisor: the main container's create fails after the network was made.
    await assert.rejects(runs.create("r6", runSpec.parse({ image: "a" })), /removed/);
    assert.deepEqual(
      [...runtime.networks.values()].map((network) => network.name),
      ["bailey-r5"],
      "r6's network is gone, r5's stays",
    );
    assert.equal(runs.inspect("r6").state, "failed");
  });

  it("a run with grants or a strict egress policy is refused before anything exists on a runtime that cannot run the egress proxy (the Mock imports no images)", async () => {
    const runtime = new MockRuntime({ behaviour });
    const runs = await manager(runtime);
    const grant = { name: "upstream", hosts: ["api.upstream.test"], inject: { kind: "bearer" as const }, value: "v" };
    for (const [runId, spec, credentials] of [
      ["g1", runSpec.parse({ image: "agent:latest", grants: ["upstream"] }), { secrets: {}, grants: [grant] }],
      ["g2", runSpec.parse({ image: "agent:latest", network: { policy: "strict" } }), undefined],
    ] as [string, ReturnType<typeof runSpec.parse>, Parameters<RunManager["create"]>[3]][]) {
      await assert.rejects(runs.create(runId, spec, undefined, credentials), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
        assert.match(
          error.message,
          runId === "g1" ? /The mock runtime cannot run the egress proxy sidecar that grants need/ : /The mock runtime cannot run the egress proxy sidecar that network\.policy strict need/,
        );
        return true;
      });
    }
    assert.deepEqual(
      runtime.calls.filter((call) => call.method !== "ping"),
      [],
      "nothing was pulled, created or started",
    );
    await runs.create("g3", runSpec.parse({ image: "agent:latest", network: { policy: "open", allow: ["*.example.com"] } }));
  });
});

describe("where runs' secret files live", () => {
  it("root's agent uses /dev/shm/bailey, another user's agent a root of its own, so one never locks the other out", async () => {
    const { runTmpfsRootFor } = await import("../src/runs/run-tmpfs");
    assert.equal(runTmpfsRootFor(0), "/dev/shm/bailey");
    assert.equal(runTmpfsRootFor(undefined), "/dev/shm/bailey");
    assert.equal(runTmpfsRootFor(998), "/dev/shm/bailey-998");
  });
});
