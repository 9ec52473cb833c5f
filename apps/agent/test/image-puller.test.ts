import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import { MockRuntime } from "@bailey/runtime/testing";
import { ImagePuller } from "../src/images/image-puller";
import { Journal } from "../src/journal/journal";

// The puller's bookkeeping on the Mock runtime; the real engines are in image-pull*.test.ts.
describe("ImagePuller (Mock runtime)", () => {
  let dir = "";
  let journal: Journal;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-puller-"));
    journal = await Journal.open(dir);
  });
  afterEach(async () => {
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a pull past BAILEY_PULL_TIMEOUT fails imagePullFailed (reason other) saying which setting to raise, and the next request pulls afresh", async () => {
    const runtime = new MockRuntime({ pullDelayMs: 400 });
    const puller = new ImagePuller({ runtime, journal, pullTimeoutMs: 50 });
    const error = await puller.ensure({ image: "registry.example/app:1", policy: "always", runId: "r1" }).catch((caught: unknown) => caught);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, rpcErrorCodes.imagePullFailed);
    assert.deepEqual(error.data, { image: "registry.example/app:1", registry: "registry.example", reason: "other" });
    assert.match(error.message, /longer than 0.05 s \(BAILEY_PULL_TIMEOUT on the host\)/);
    const generous = new ImagePuller({ runtime, journal, pullTimeoutMs: 5_000 });
    assert.equal((await generous.ensure({ image: "registry.example/app:1", policy: "always" })).pulled, true);
  });

  it("credentials for one image share a pull only with the same credentials, and are never journaled", async () => {
    const runtime = new MockRuntime({ pullDelayMs: 100 });
    const puller = new ImagePuller({ runtime, journal, pullTimeoutMs: 5_000 });
    const auth = { registry: "registry.example", username: "u", password: "s3cret-value" };
    await Promise.all([
      puller.ensure({ image: "registry.example/app:1", policy: "always", auth, runId: "a" }),
      puller.ensure({ image: "registry.example/app:1", policy: "always", auth, runId: "b" }),
      puller.ensure({ image: "registry.example/app:1", policy: "always", runId: "c" }),
    ]);
    assert.equal(runtime.calls.filter((call) => call.method === "pullImage").length, 2, "a and b share one pull; c (anonymous) makes its own");
    const { events } = await journal.pull(0, 1000);
    assert.ok(!JSON.stringify(events).includes("s3cret-value"));
  });
});
