import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type AgentEvent, buildImageTag, type RpcPeer, rpcErrorCodes, runSpec } from "@bailey/protocol";
import { createPodmanRuntime, type DockerRuntime } from "@bailey/runtime";
import { MockRuntime, type PodmanService, podmanTestImage, startPodmanService } from "@bailey/runtime/testing";
import { BuildLogs } from "../src/builds/build-log";
import { extractBuildContext } from "../src/builds/context-extract";
import { BuildContextStore } from "../src/builds/context-store";
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";
import { type AgentProcess, docker, ensureStandinImage, resourcesOf, standinImage, startAgent } from "../src/testing";

const baseImage = "bailey-test/busybox:latest";

/** One ustar entry: a file ("0"), directory ("5"), symlink ("2"), hard link ("1") or device ("3"). */
function tarEntry(name: string, body: string | Buffer = "", type = "0", linkName = ""): Buffer {
  const data = Buffer.from(body);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(type === "5" ? "0000755\0" : "0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write(type, 156);
  header.write(linkName, 157, 100);
  header.write("ustar\0", 257);
  header.write("00", 263);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const tarOf = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const twoStageDockerfile = [
  `FROM ${baseImage} AS build`,
  `RUN echo "made by stage one" > /made.txt && echo "stage-one-output-line"`,
  `FROM ${baseImage}`,
  "COPY --from=build /made.txt /made.txt",
  "COPY message.txt /message.txt",
  "",
].join("\n");

const twoStageContext = tarOf(tarEntry("./", "", "5"), tarEntry("./Dockerfile", twoStageDockerfile), tarEntry("./message.txt", "hello from the context\n"));

/** Every image ID on the engine, intermediate ones too (docker images -a). */
const allImageIds = () => new Set(execFileSync("docker", ["images", "-a", "-q", "--no-trunc"], { encoding: "utf8" }).split("\n").filter(Boolean));
const imageExists = (reference: string) =>
  docker
    .getImage(reference)
    .inspect()
    .then(
      () => true,
      () => false,
    );
const buildTempDirs = (runId: string) => readdirSync(tmpdir()).filter((name) => name.startsWith(`bailey-build-${runId}-`));

async function putWhole(peer: RpcPeer, context: Buffer, chunkBytes = 64 * 1024, sha = sha256(context)) {
  let result = { receivedBytes: 0, complete: false };
  for (let offset = 0; offset < context.length; offset += chunkBytes) {
    result = await peer.request("build.context.put", { sha256: sha, sizeBytes: context.length, offset, data: context.subarray(offset, offset + chunkBytes).toString("base64") });
  }
  return result;
}

async function logsOf(peer: RpcPeer, runId: string): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  await peer.request("run.logs", { runId }, { onChunk: (chunk) => (out[chunk.fd] += chunk.data.toString()) });
  return out;
}

async function eventsOf(peer: RpcPeer, runId: string): Promise<AgentEvent[]> {
  return (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.filter((event) => event.runId === runId);
}

async function runToExit(peer: RpcPeer, runId: string): Promise<void> {
  await peer.request("run.start", { runId });
  for (let i = 0; i < 600; i++) {
    const run = await peer.request("run.inspect", { runId });
    if (["exited", "failed"].includes(run.state)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not exit within 60 s`);
}

describe("a run built from a Dockerfile (Docker, engine BuildKit)", () => {
  const suffix = randomBytes(4).toString("hex");
  const hostId = `build-host-${suffix}`;
  let agent: AgentProcess;
  let peer: RpcPeer;

  before(async () => {
    agent = await startAgent({ hostId, allow: ["sandbox:none", "docker:dind"], dindPrivileged: false });
    peer = await agent.connect();
    if (!(await docker.info()).Runtimes?.runsc) throw new Error("Docker has no runsc runtime: run infra/ci/setup-test-host.sh as root.");
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    for (const image of await docker.listImages({ filters: JSON.stringify({ label: [`bailey.built.host-id=${hostId}`] }) })) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it("puts a context in chunks: a resent and an out-of-order chunk say where to go on; a wrong SHA-256 is discarded", async () => {
    const context = tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\n`), tarEntry("filler.bin", randomBytes(3000)));
    const sha = sha256(context);
    const put = (offset: number, end: number, sizeBytes = context.length, hash = sha) =>
      peer.request("build.context.put", { sha256: hash, sizeBytes, offset, data: context.subarray(offset, end).toString("base64") });
    assert.deepEqual(await put(0, 0), { receivedBytes: 0, complete: false }, "an empty put asks what the host holds");
    assert.deepEqual(await put(0, 1024), { receivedBytes: 1024, complete: false });
    assert.deepEqual(await put(0, 1024), { receivedBytes: 1024, complete: false }, "a resent chunk is not written twice");
    assert.deepEqual(await put(2048, 3072), { receivedBytes: 1024, complete: false }, "an out-of-order chunk is not written");
    assert.deepEqual(await put(1024, 2048), { receivedBytes: 2048, complete: false });
    assert.deepEqual(await put(2048, context.length), { receivedBytes: context.length, complete: true });
    assert.deepEqual(await put(0, 0), { receivedBytes: context.length, complete: true }, "a later put of a held context answers complete");
    assert.ok(existsSync(path.join(agent.stateDir, "build-contexts", `${sha}.tar`)));

    const wrong = sha256(Buffer.from("something else"));
    await put(0, 2048, context.length, wrong);
    await assert.rejects(put(2048, context.length, context.length, wrong), (error: Error & { code?: number }) => {
      assert.equal(error.code, rpcErrorCodes.invalidParams);
      assert.match(error.message, /have SHA-256 [0-9a-f]{64}; the host discarded them\. Upload the context again from offset 0/);
      return true;
    });
    assert.deepEqual(await put(0, 0, context.length, wrong), { receivedBytes: 0, complete: false }, "the mismatched bytes are gone");
    await assert.rejects(put(0, context.length, context.length - 1, sha256(Buffer.from("too long"))), /past its sizeBytes/);
  });

  it("builds a two-stage Dockerfile, runs it under runc and gVisor, logs the build, and destroy removes the image (the context goes with the last run)", async () => {
    const context = gzipSync(twoStageContext);
    assert.deepEqual(await putWhole(peer, context, 700), { receivedBytes: context.length, complete: true });
    const runs = [
      { runId: `built-runc-${suffix}`, sandbox: "none" as const },
      { runId: `built-gvisor-${suffix}`, sandbox: "gvisor" as const },
    ];
    for (const { runId, sandbox } of runs) {
      const startedAt = Date.now();
      const created = await peer.request(
        "run.create",
        { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", sandbox, command: ["cat", "/made.txt", "/message.txt"], build: { context: sha256(context) } } },
        { timeoutMs: 180_000 },
      );
      assert.equal(created.state, "created");
      assert.match(created.imageDigest ?? "", /^sha256:/);
      await runToExit(peer, runId);
      const run = await peer.request("run.inspect", { runId });
      assert.equal(run.state, "exited", `${sandbox}: ${run.error}`);
      assert.equal(run.exitCode, 0);
      const logs = await logsOf(peer, runId);
      assert.equal(logs.stdout, "made by stage one\nhello from the context\n", `${sandbox}: the command printed the built files`);
      assert.match(logs.stderr, /stage-one-output-line/, "the build's RUN output is in the run's logs");
      assert.match(logs.stderr, /builder: engine-buildkit/);
      const tailOnly = await new Promise<string>((resolve, reject) => {
        let text = "";
        peer.request("run.logs", { runId, tail: 10 }, { onChunk: (chunk) => (text += chunk.data.toString()) }).then(() => resolve(text), reject);
      });
      assert.doesNotMatch(tailOnly, /stage-one-output-line/, "a tail reads the container's output only");

      const events = await eventsOf(peer, runId);
      const types = events.map((event) => event.type);
      assert.ok(types.indexOf("build.started") < types.indexOf("build.finished") && types.indexOf("build.finished") < types.indexOf("container.created"), types.join(", "));
      const builder = events.find((event) => event.type === "build.builder");
      assert.equal(builder?.data.builder, "engine-buildkit");
      assert.match(String(builder?.data.reason), /no BuildKit endpoint/);
      const finished = events.find((event) => event.type === "build.finished");
      assert.equal(finished?.data.builder, "engine-buildkit");
      assert.ok(Number(finished?.data.durationMs) > 0 && Number(finished?.data.durationMs) < Date.now() - startedAt + 1);
      assert.equal(await imageExists(buildImageTag(runId)), true);
    }
    const contextFile = path.join(agent.stateDir, "build-contexts", `${sha256(context)}.tar`);
    await peer.request("run.destroy", { runId: runs[0]?.runId as string });
    assert.equal(await imageExists(buildImageTag(runs[0]?.runId as string)), false, "destroy removes the built image");
    assert.ok(existsSync(contextFile), "the context stays while another live run uses it");
    await peer.request("run.destroy", { runId: runs[1]?.runId as string });
    assert.equal(await imageExists(buildImageTag(runs[1]?.runId as string)), false);
    assert.equal(existsSync(contextFile), false, "the last run's destroy removes the context");
  });

  it("builds from an inline Dockerfile without a context, with a target stage and build arguments", async () => {
    const runId = `inline-${suffix}`;
    const dockerfileInline = `FROM ${baseImage} AS wanted\nARG WORD\nRUN echo "word=$WORD" > /word.txt\nFROM wanted AS broken\nRUN exit 5\n`;
    await peer.request(
      "run.create",
      { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", command: ["cat", "/word.txt"], build: { dockerfileInline, target: "wanted", args: { WORD: "bailey" } } } },
      { timeoutMs: 180_000 },
    );
    await runToExit(peer, runId);
    assert.equal((await logsOf(peer, runId)).stdout, "word=bailey\n");
    await peer.request("run.destroy", { runId });
  });

  it("a broken Dockerfile fails the run with the build's error and leaves no image, container, network or temporary directory", async () => {
    const runId = `broken-${suffix}`;
    const context = tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\nRUN echo about-to-fail && exit 3\n`));
    await putWhole(peer, context);
    const imagesBefore = allImageIds();
    await assert.rejects(
      peer.request("run.create", { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", build: { context: sha256(context) } } }, { timeoutMs: 180_000 }),
      (error: Error) => {
        assert.match(error.message, /Building run .* image failed.*exit code: 3/s);
        assert.match(error.message, /about-to-fail/, "the error carries the build's last output");
        return true;
      },
    );
    const run = await peer.request("run.inspect", { runId });
    assert.equal(run.state, "failed");
    assert.match(run.error ?? "", /exit code: 3/);
    const events = await eventsOf(peer, runId);
    assert.match(String(events.find((event) => event.type === "build.failed")?.data.message), /exit code: 3/);
    assert.equal(events.find((event) => event.type === "run.failed")?.data.during, "build");
    assert.equal(
      events.some((event) => event.type === "container.created"),
      false,
    );

    const newImages = [...allImageIds()].filter((id) => !imagesBefore.has(id));
    const leftovers = [];
    for (const id of newImages) {
      const info = await docker
        .getImage(id)
        .inspect()
        .catch(() => null);
      // Another test on this machine may build at the same time: only untagged ones or this run's count.
      if (info && (!info.RepoTags?.length || info.RepoTags.some((tag) => tag.includes(runId)))) leftovers.push(id);
    }
    assert.deepEqual(leftovers, [], "no image, intermediate or tagged, is left (docker images -a)");
    assert.equal(await imageExists(buildImageTag(runId)), false);
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] });
    assert.deepEqual(buildTempDirs(runId), []);
    const logs = await logsOf(peer, runId);
    assert.match(logs.stderr, /about-to-fail/, "a run whose build failed still has its build output in run.logs");
    assert.match(logs.stderr, /build failed: .*exit code: 3/);
    await peer.request("run.destroy", { runId });
  });

  it("refuses a context with '..', an absolute path, a link out of it or a device file, writing nothing outside", async () => {
    const escapee = `bailey-escape-${suffix}.txt`;
    const cases: [string, Buffer, RegExp][] = [
      ["dotdot", tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\n`), tarEntry(`../${escapee}`, "out")), /a path with '\.\.'/],
      ["absolute", tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\n`), tarEntry(`/tmp/${escapee}`, "out")), /an absolute path/],
      ["symlink", tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\n`), tarEntry("up", "", "2", "../.."), tarEntry(`up/tmp/${escapee}`, "out")), /points to \.\.\/\.\., outside the context/],
      ["device", tarOf(tarEntry("Dockerfile", `FROM ${baseImage}\n`), tarEntry("null", "", "3")), /a device file/],
    ];
    for (const [name, context, reason] of cases) {
      const runId = `unsafe-${name}-${suffix}`;
      await putWhole(peer, context);
      await assert.rejects(peer.request("run.create", { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", build: { context: sha256(context) } } }, { timeoutMs: 60_000 }), reason);
      assert.equal((await peer.request("run.inspect", { runId })).state, "failed");
      assert.deepEqual(buildTempDirs(runId), []);
      await peer.request("run.destroy", { runId });
    }
    assert.equal(existsSync(path.join(tmpdir(), escapee)), false);
    assert.equal(existsSync(path.join("/tmp", escapee)), false);
  });

  it("a context never put fails the run, saying to put it first", async () => {
    const runId = `missing-${suffix}`;
    const absent = sha256(randomBytes(16));
    await assert.rejects(
      peer.request("run.create", { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", build: { context: absent } } }),
      /is not on this host .*put it with build\.context\.put before run\.create/,
    );
    await peer.request("run.destroy", { runId });
  });

  it("a docker:dind run's BuildKit sidecar is the endpoint tried first (here: said unusable without buildctl, and the engine's BuildKit builds)", async () => {
    await ensureStandinImage();
    const runId = `dind-${suffix}`;
    await peer.request(
      "run.create",
      {
        runId,
        spec: {
          image: buildImageTag(runId),
          pullPolicy: "never",
          dependencies: ["docker:dind"],
          buildkitImage: standinImage,
          build: { dockerfileInline: `FROM ${baseImage}\nRUN echo dind > /d.txt\n` },
        },
      },
      { timeoutMs: 180_000 },
    );
    const events = await eventsOf(peer, runId);
    const types = events.map((event) => event.type);
    assert.ok(types.indexOf("sidecar.started") < types.indexOf("build.started"), types.join(", "));
    const builders = events.filter((event) => event.type === "build.builder").map((event) => `${event.data.builder}: ${event.data.reason}`);
    const hasBuildctl = !spawnSync("buildctl", ["--version"]).error;
    if (hasBuildctl) assert.match(builders[0] ?? "", /^buildkit-endpoint: BuildKit endpoint tcp:\/\/[\d.]+:1234 \(the run's\)/);
    else assert.match(builders[0] ?? "", /^engine-buildkit: BuildKit endpoint tcp:\/\/[\d.]+:1234 given but buildctl is not installed on this host/);
    await peer.request("run.destroy", { runId });
    assert.equal(await imageExists(buildImageTag(runId)), false);
  });

  it("reconcile removes the built image of a run the control plane no longer owns", async () => {
    const runId = `orphan-${suffix}`;
    await peer.request(
      "run.create",
      { runId, spec: { image: buildImageTag(runId), pullPolicy: "never", build: { dockerfileInline: `FROM ${baseImage}\nRUN echo orphan > /o.txt\n` } } },
      { timeoutMs: 180_000 },
    );
    assert.equal(await imageExists(buildImageTag(runId)), true);
    await peer.request("host.reconcile", { ownedRunIds: [], removeOnly: [runId] });
    assert.equal(await imageExists(buildImageTag(runId)), false);
    assert.ok(existsSync(path.join(agent.stateDir, "build-logs")) && !existsSync(path.join(agent.stateDir, "build-logs", `${runId}.log`)));
  });
});

describe("build contexts on disk", () => {
  it("prunes contexts and partial uploads no run uses after 24 h, keeping those in use and fresh ones", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-build-prune-"));
    try {
      const store = BuildContextStore.inStateDir(dir);
      const put = async (bytes: Buffer, whole = true) => store.put({ sha256: sha256(bytes), sizeBytes: bytes.length, offset: 0, data: (whole ? bytes : bytes.subarray(0, 1)).toString("base64") });
      const [old, used, fresh, partial] = ["old", "used", "fresh", "partial"].map((name) => Buffer.from(`${name} context`)) as [Buffer, Buffer, Buffer, Buffer];
      for (const bytes of [old, used, fresh]) assert.equal((await put(bytes)).complete, true);
      assert.equal((await put(partial, false)).complete, false);
      const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
      for (const name of [`${sha256(old)}.tar`, `${sha256(used)}.tar`, `${sha256(partial)}.partial`]) await utimes(path.join(store.dir, name), dayAgo, dayAgo);
      const removed = await store.prune(new Set([sha256(used)]));
      assert.deepEqual(removed.sort(), [`${sha256(old)}.tar`, `${sha256(partial)}.partial`].sort());
      assert.ok(await store.pathOf(sha256(used)));
      assert.ok(await store.pathOf(sha256(fresh)));
      assert.equal(await store.pathOf(sha256(old)), null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps a run's build output up to its cap, and says where it stopped", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-build-log-"));
    try {
      const logs = new BuildLogs(dir, 100);
      const write = logs.writer("capped");
      for (let i = 0; i < 50; i++) write(`line ${i}`);
      const text = (await logs.read("capped"))?.toString() ?? "";
      assert.match(text, /^line 0\nline 1\n/);
      assert.match(text, /\[build output past 100 bytes is not kept\]\n$/);
      assert.ok(text.length < 200, text);
      assert.equal(await logs.remove("capped"), true);
      assert.equal(await logs.read("capped"), null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("unpacks links inside the context, and refuses a hard link out, a write through an inner link chain, and a gzip that unpacks past the cap", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-build-extract-"));
    const unpack = async (name: string, tar: Buffer, maxBytes = 1024 * 1024) => {
      const file = path.join(dir, `${name}.tar`);
      const dest = path.join(dir, name);
      await writeFile(file, tar);
      await mkdir(dest);
      return extractBuildContext(file, dest, maxBytes);
    };
    try {
      const good = await unpack("good", tarOf(tarEntry("a/", "", "5"), tarEntry("a/file.txt", "inside"), tarEntry("a/link", "", "2", "file.txt"), tarEntry("hard", "", "1", "a/file.txt")));
      assert.deepEqual(good, { files: 1, bytes: 6 });
      assert.equal(await readFile(path.join(dir, "good", "a", "link"), "utf8"), "inside");
      assert.equal(await readFile(path.join(dir, "good", "hard"), "utf8"), "inside");
      await assert.rejects(unpack("hard-out", tarOf(tarEntry("hard", "", "1", "../../etc/passwd"))), /path with '\.\.'/);
      await assert.rejects(unpack("chain", tarOf(tarEntry("b", "", "2", "."), tarEntry("c", "", "2", "b/.."))), /outside the context/);
      await assert.rejects(unpack("fifo", tarOf(tarEntry("pipe", "", "6"))), /a FIFO/);
      await assert.rejects(unpack("bomb", gzipSync(tarOf(tarEntry("big", Buffer.alloc(2 * 1024 * 1024))))), /unpacks to more than 1048576 bytes/);
      await assert.rejects(unpack("garbage", Buffer.concat([Buffer.from("not a tar at all"), Buffer.alloc(1024, 1)])), /not a valid tar/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a runtime without builds (as Apple's)", () => {
  it("refuses spec.build with an unsupported-feature error before anything exists", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-build-apple-"));
    const journal = await Journal.open(dir);
    try {
      const runtime = new MockRuntime({ features: { builds: false } });
      const runs = new RunManager({ runtime, journal, store: await RunStore.open(dir), hostId: "h", buildkitImage: "b", sidecarReadyTimeoutMs: 1000, stateDir: dir });
      const spec = runSpec.parse({ image: buildImageTag("apple-run"), pullPolicy: "never", build: { dockerfileInline: `FROM ${baseImage}\n` } });
      await assert.rejects(runs.create("apple-run", spec), (error: Error & { code?: number }) => {
        assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
        assert.match(error.message, /does not support builds/);
        return true;
      });
      assert.deepEqual(runs.runIds(), []);
      assert.deepEqual(
        runtime.calls.map((call) => call.method).filter((method) => /^(create|pull|start)/.test(method)),
        [],
      );
    } finally {
      await journal.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const podmanImageIds = () => new Set(execFileSync("podman", ["images", "-a", "-q", "--no-trunc"], { encoding: "utf8" }).split("\n").filter(Boolean));

/** New untagged images since `before` (another test on this machine may build tagged ones meanwhile). */
async function untaggedNewImages(before: Set<string>): Promise<string[]> {
  return [...podmanImageIds()].filter((id) => !before.has(id) && !execFileSync("podman", ["image", "inspect", "--format", "{{.RepoTags}}", id], { encoding: "utf8" }).includes("/"));
}

describe("a run built from a Dockerfile (Podman, its compat build API)", () => {
  const suffix = randomBytes(4).toString("hex");
  let service: PodmanService;
  let dir = "";
  let journal: Journal;
  let runs: RunManager;
  let runtime: DockerRuntime;

  before(async () => {
    service = await startPodmanService();
    runtime = createPodmanRuntime(service.socketPath);
    dir = await mkdtemp(path.join(tmpdir(), "bailey-build-podman-"));
    journal = await Journal.open(dir);
    runs = new RunManager({
      runtime,
      journal,
      store: await RunStore.open(dir),
      hostId: `build-podman-${suffix}`,
      buildkitImage: "unused",
      sidecarReadyTimeoutMs: 10_000,
      allowed: ["sandbox:none"],
      stateDir: dir,
    });
  });
  after(async () => {
    for (const runId of runs?.runIds() ?? []) await runs.destroy(runId).catch(() => undefined);
    await journal?.close();
    await rm(dir, { recursive: true, force: true });
    await service?.stop();
  });

  it("builds a two-stage Dockerfile from a context put in chunks, runs it, and destroy removes the image", async () => {
    const runId = `podman-${suffix}`;
    const context = gzipSync(tarOf(tarEntry("Dockerfile", twoStageDockerfile.replaceAll(baseImage, podmanTestImage)), tarEntry("message.txt", "hello from the context\n")));
    const contexts = runs.buildContexts;
    assert.ok(contexts);
    const half = Math.ceil(context.length / 2);
    await contexts.put({ sha256: sha256(context), sizeBytes: context.length, offset: 0, data: context.subarray(0, half).toString("base64") });
    assert.deepEqual(await contexts.put({ sha256: sha256(context), sizeBytes: context.length, offset: half, data: context.subarray(half).toString("base64") }), {
      receivedBytes: context.length,
      complete: true,
    });
    const imagesBefore = podmanImageIds();
    const spec = runSpec.parse({ image: buildImageTag(runId), pullPolicy: "never", sandbox: "none", command: ["cat", "/made.txt", "/message.txt"], build: { context: sha256(context) } });
    await runs.create(runId, spec);
    await runs.start(runId);
    for (let i = 0; i < 300 && runs.inspect(runId).state !== "exited"; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(runs.inspect(runId).exitCode, 0, runs.inspect(runId).error ?? "");
    let stdout = "";
    for await (const chunk of await runtime.logs(runs.containerOf(runId))) stdout += chunk.data.toString();
    assert.equal(stdout, "made by stage one\nhello from the context\n");
    assert.match((await runs.buildOutput(runId))?.toString() ?? "", /stage-one-output-line/);
    const { events } = await journal.pull(0, 1000);
    assert.equal(events.find((event) => event.runId === runId && event.type === "build.finished")?.data.builder, "buildah");
    assert.ok(await runtime.inspectImage(buildImageTag(runId)));
    await runs.destroy(runId);
    assert.equal(await runtime.inspectImage(buildImageTag(runId)), null, "destroy removes the built image");
    assert.deepEqual(await untaggedNewImages(imagesBefore), [], "buildah's stage images are gone too (podman images -a)");
  });

  it("a broken Dockerfile fails the run with buildah's error and leaves no image", async () => {
    const runId = `podman-broken-${suffix}`;
    const imagesBefore = podmanImageIds();
    const spec = runSpec.parse({
      image: buildImageTag(runId),
      pullPolicy: "never",
      build: { dockerfileInline: `FROM ${podmanTestImage} AS one\nRUN echo one > /one\nFROM ${podmanTestImage}\nCOPY --from=one /one /one\nRUN echo about-to-fail && exit 3\n` },
    });
    await assert.rejects(runs.create(runId, spec), /exit status 3|exit code: 3/);
    assert.equal(runs.inspect(runId).state, "failed");
    assert.match((await runs.buildOutput(runId))?.toString() ?? "", /about-to-fail/);
    assert.equal(await runtime.inspectImage(buildImageTag(runId)), null);
    assert.deepEqual(await untaggedNewImages(imagesBefore), [], "no stage image is left (podman images -a)");
    assert.deepEqual(buildTempDirs(runId), []);
    await runs.destroy(runId);
  });
});
