import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { RpcError, rpcErrorCodes, type RpcPeer } from "@bailey/protocol";
import { pushUniqueTestImage, registryRequests, requireTestRegistries, type TestRegistries } from "@bailey/runtime/testing";
import { type AgentProcess, docker, resourcesOf, startAgent } from "../src/testing";

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function failureOf(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof RpcError, `expected an RpcError, got ${String(error)}`);
  return error;
}

// A real agent process on the Docker engine, pulling from the loopback registries (infra/ci/setup-test-host.sh).
describe("the agent pulls run images (real agent, Docker, loopback registries)", () => {
  const suffix = randomBytes(4).toString("hex");
  const hostId = `pull-host-${suffix}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let registries: TestRegistries;
  const references: string[] = [];
  const spec = (image: string, extra: Record<string, unknown> = {}) => ({ image, command: ["true"], sandbox: "none", ...extra });

  before(async () => {
    registries = await requireTestRegistries();
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    for (const reference of references)
      await docker
        .getImage(reference)
        .remove({ force: true })
        .catch(() => undefined);
  });

  const journal = async () => (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events;

  it("a private registry without credentials fails unauthorized naming the registry and leaves nothing; with them it pulls, and the password is in no file the agent keeps", async () => {
    const pushed = await pushUniqueTestImage(registries.private, `bailey/agent-private-${suffix}`);
    references.push(pushed.reference);
    const credentials = registries.private.credentials;
    assert.ok(credentials);

    const denied = `private-denied-${suffix}`;
    const error = await failureOf(peer.request("run.create", { runId: denied, spec: spec(pushed.reference) as never }));
    assert.equal(error.code, rpcErrorCodes.imagePullFailed);
    assert.deepEqual(error.data, { image: pushed.reference, registry: registries.private.address, reason: "unauthorized" });
    assert.match(error.message, /127\.0\.0\.1:5051/);
    assert.match(error.message, /add registry credentials for 127\.0\.0\.1:5051 in Bailey's Team → Registries/);
    assert.deepEqual(await resourcesOf(denied), { containers: [], networks: [] }, "a failed pull leaves no container or network");
    assert.equal((await peer.request("run.inspect", { runId: denied })).state, "failed");

    const allowed = `private-ok-${suffix}`;
    const registryAuth = { registry: registries.private.address, username: credentials.username, password: credentials.password };
    const created = await peer.request("run.create", { runId: allowed, spec: spec(pushed.reference) as never, registryAuth });
    assert.equal(created.imageDigest, pushed.digest);
    await peer.request("run.start", { runId: allowed });

    // Credentials for another registry are never sent to this one.
    const elsewhere = await failureOf(
      peer.request("run.create", {
        runId: `private-other-${suffix}`,
        spec: spec(`${registries.private.address}/bailey/agent-other-${suffix}:1`) as never,
        registryAuth: { ...registryAuth, registry: "ghcr.io" },
      }),
    );
    assert.equal((elsewhere.data as { reason: string }).reason, "unauthorized");

    const files = await filesUnder(agent.stateDir);
    assert.ok(files.length > 0, `the agent keeps state under ${agent.stateDir}`);
    for (const file of files) assert.ok(!(await readFile(file, "utf8")).includes(credentials.password), `${file} must not contain the registry password`);
    assert.ok(!agent.output().includes(credentials.password), "nor does the agent's output");
    assert.ok(!JSON.stringify(await journal()).includes(credentials.password), "nor its journal");
  });

  it("10 concurrent runs of one missing image make one pull: one manifest GET and one GET per blob at the registry", async () => {
    const pushed = await pushUniqueTestImage(registries.open, `bailey/agent-flight-${suffix}`, { padBytes: 4 * 1024 * 1024 });
    references.push(pushed.reference);
    const before = registryRequests(registries.open, pushed.repository).length;
    const runIds = Array.from({ length: 10 }, (_, index) => `flight-${index}-${suffix}`);
    const created = await Promise.all(runIds.map((runId) => peer.request("run.create", { runId, spec: spec(pushed.reference) as never })));
    for (const run of created) assert.equal(run.imageDigest, pushed.digest);
    const requests = registryRequests(registries.open, pushed.repository).slice(before);
    const manifestGets = requests.filter((request) => request.method === "GET" && request.uri.includes("/manifests/"));
    const blobGets = requests.filter((request) => request.method === "GET" && request.uri.includes("/blobs/"));
    assert.equal(manifestGets.length, 1, `one manifest GET: ${JSON.stringify(requests)}`);
    assert.equal(new Set(blobGets.map((request) => request.uri)).size, blobGets.length, `no blob fetched twice: ${JSON.stringify(requests)}`);
    assert.equal(blobGets.length, 2, "the layer and the config");

    const events = (await journal()).filter((event) => event.runId && runIds.includes(event.runId));
    const started = events.filter((event) => event.type === "image.pull_started");
    assert.equal(started.length, 10);
    assert.equal(started.filter((event) => event.data.shared === true).length, 9, "nine runs joined the first one's pull");
    const pulled = events.filter((event) => event.type === "image.pulled");
    assert.equal(pulled.length, 10);
    assert.ok(pulled.every((event) => event.data.digest === pushed.digest && typeof event.data.durationMs === "number"));
    const progress = events.filter((event) => event.type === "image.pull_progress");
    for (const runId of runIds) {
      const times = progress.filter((event) => event.runId === runId).map((event) => new Date(event.at).getTime());
      for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 900, `progress for ${runId} is throttled to about one a second`);
    }
  });

  it("pullPolicy never fails a missing image with reason never; always re-resolves a moved tag, if-not-present keeps what the host has", async () => {
    const repository = `bailey/agent-policy-${suffix}`;
    const neverError = await failureOf(peer.request("run.create", { runId: `never-${suffix}`, spec: spec(`${registries.open.address}/${repository}:1`, { pullPolicy: "never" }) as never }));
    assert.equal(neverError.code, rpcErrorCodes.imagePullFailed);
    assert.equal((neverError.data as { reason: string }).reason, "never");
    assert.match(neverError.message, /pullPolicy is never/);

    const first = await pushUniqueTestImage(registries.open, repository);
    references.push(first.reference);
    const one = await peer.request("run.create", { runId: `always-1-${suffix}`, spec: spec(first.reference, { pullPolicy: "always" }) as never });
    assert.equal(one.imageDigest, first.digest);
    // (The pusher retags on this same engine and removes its tag again, so the host holds no tag for it now.)
    const moved = await pushUniqueTestImage(registries.open, repository);
    // The first image lost its tag to the second: removed by digest at the end.
    references.push(`${registries.open.address}/${repository}@${first.digest}`, `${registries.open.address}/${repository}@${moved.digest}`);
    assert.notEqual(moved.digest, first.digest);
    const two = await peer.request("run.create", { runId: `always-2-${suffix}`, spec: spec(first.reference, { pullPolicy: "always" }) as never });
    assert.equal(two.imageDigest, moved.digest, "always resolves the tag afresh");
    const requestsBefore = registryRequests(registries.open, repository).length;
    const kept = await peer.request("run.create", { runId: `ifnp-${suffix}`, spec: spec(first.reference) as never });
    assert.equal(kept.imageDigest, moved.digest, "if-not-present uses the image the host has");
    assert.equal(registryRequests(registries.open, repository).length, requestsBefore, "without asking the registry");
    const present = await peer.request("run.create", { runId: `never-ok-${suffix}`, spec: spec(first.reference, { pullPolicy: "never" }) as never });
    assert.equal(present.imageDigest, moved.digest, "never is fine when the host has it");
  });

  it("a repository that does not exist fails not_found, a closed port unreachable, each saying what to do", async () => {
    const missing = await failureOf(peer.request("run.create", { runId: `missing-${suffix}`, spec: spec(`${registries.open.address}/bailey/none-${suffix}:1`) as never }));
    assert.equal((missing.data as { reason: string }).reason, "not_found");
    assert.match(missing.message, /check the image name and tag/);
    const closed = await failureOf(peer.request("run.create", { runId: `closed-${suffix}`, spec: spec(`127.0.0.1:1/bailey/none-${suffix}:1`) as never }));
    assert.equal((closed.data as { reason: string }).reason, "unreachable");
    assert.match(closed.message, /127\.0\.0\.1:1 is up and reachable/);
    const failed = (await journal()).filter((event) => event.type === "image.pull_failed" && [`missing-${suffix}`, `closed-${suffix}`].includes(event.runId ?? ""));
    assert.deepEqual(failed.map((event) => event.data.reason).sort(), ["not_found", "unreachable"]);
  });

  it("image.pull pre-pulls without a run (journaled without runId) and image.list shows it with its digest", async () => {
    const pushed = await pushUniqueTestImage(registries.open, `bailey/agent-prepull-${suffix}`);
    references.push(pushed.reference);
    const result = await peer.request("image.pull", { image: pushed.reference });
    assert.deepEqual(result, { image: pushed.reference, digest: pushed.digest, pulled: true });
    assert.deepEqual(await peer.request("image.pull", { image: pushed.reference }), { image: pushed.reference, digest: pushed.digest, pulled: false }, "if-not-present: already here");
    const pulled = (await journal()).filter((event) => event.type === "image.pulled" && event.data.image === pushed.reference);
    assert.equal(pulled[0]?.runId ?? null, null);
    const { images } = await peer.request("image.list", {});
    const listed = images.find((image) => image.tags.includes(pushed.reference));
    assert.ok(listed, "image.list has it");
    assert.ok(listed.digests.includes(`${registries.open.address}/${pushed.repository}@${pushed.digest}`));
    assert.ok(listed.sizeBytes > 0);
  });
});
