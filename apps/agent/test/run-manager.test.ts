import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { RpcError, rpcErrorCodes, runSpec } from "@bailey/protocol";
import { conformanceBehaviour, MockRuntime } from "@bailey/runtime/testing";

// buildkitd keeps running; everything else behaves as in the conformance suite.
const behaviour = (command: string[]) => (command[0] === "--addr" ? { longRunning: true } : conformanceBehaviour(command));
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";

describe("RunManager logic (Mock runtime)", () => {
  let dir = "";
  let journal: Journal;
  const manager = async (runtime: MockRuntime) =>
    new RunManager({ runtime, journal, store: await RunStore.open(dir), hostId: "h", buildkitImage: "moby/buildkit:latest", sidecarReadyTimeoutMs: 1000 });

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

  it("create is idempotent on the run ID, and refuses the same ID with another spec", async () => {
    const runtime = new MockRuntime({ behaviour });
    const runs = await manager(runtime);
    const spec = runSpec.parse({ image: "a", command: ["true"] });
    const first = await runs.create("r4", spec);
    assert.deepEqual(await runs.create("r4", spec), first);
    assert.equal(runtime.calls.filter((call) => call.method === "createContainer").length, 1);
    await assert.rejects(runs.create("r4", { ...spec, image: "b" }), (error: RpcError) => error.code === rpcErrorCodes.conflict);
  });
});
