import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { AgentConnection } from "@bailey/agent-client";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { buildImageTag, maxBuildContextBytes, maxBuildContextChunkBytes, RpcError, rpcErrorCodes } from "@bailey/protocol";
import {
  AppError,
  createRun,
  explainQueuedRuns,
  createRunFromYaml,
  getRun,
  HostConnections,
  listBuildContexts,
  placeQueuedRuns,
  pruneBuildContexts,
  putBuildContextOnHost,
  type TeamContext,
  uploadBuildContext,
  validateRunSpec,
} from "../src";
import { runBuildSteps } from "../src/runs/run-build-steps";
import { dispatchOne } from "../src/scheduler/dispatch";
import { hostMismatches } from "../src/scheduler/host-fit";

const refused = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

const inline = "FROM bailey-test/busybox:latest AS build\nRUN echo hi > /out\nFROM bailey-test/busybox:latest\nCOPY --from=build /out /out\n";

/**
 * The far side of build.context.put as the agent's contract says it behaves (resumable: a
 * chunk at the wrong offset is not written; complete once all bytes are there and the SHA-256
 * matches), recording each call; run.create and run.start answer as an agent would.
 */
class ContextStoreAgent {
  readonly held = new Map<string, Buffer>();
  readonly complete = new Set<string>();
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  /** What run.create answers with instead of success. */
  createFails: RpcError | null = null;
  /** The agent's journal, as events.pull serves it. */
  journal: { seq: number; at: string; type: string; runId?: string; data: Record<string, unknown> }[] = [];
  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ method, params });
    if (method === "events.pull") return { events: this.journal.filter((event) => event.seq > Number(params.afterSeq)) };
    if (method === "run.create" && this.createFails) throw this.createFails;
    if (method === "build.context.put") {
      const sha256 = String(params.sha256);
      if (this.complete.has(sha256)) return { receivedBytes: Number(params.sizeBytes), complete: true };
      const have = this.held.get(sha256) ?? Buffer.alloc(0);
      const data = Buffer.from(String(params.data), "base64");
      const next = Number(params.offset) === have.length && data.length ? Buffer.concat([have, data]) : have;
      this.held.set(sha256, next);
      if (next.length === Number(params.sizeBytes)) {
        assert.equal(createHash("sha256").update(next).digest("hex"), sha256, "the bytes put are the context's");
        this.complete.add(sha256);
        return { receivedBytes: next.length, complete: true };
      }
      return { receivedBytes: next.length, complete: false };
    }
    if (method === "run.start") return { containerId: `container-${params.runId}`, imageDigest: null, networkId: null, networkName: null, sidecars: [] };
    return {};
  }
  putCalls() {
    return this.calls.filter((call) => call.method === "build.context.put");
  }
}

class OneAgent extends HostConnections {
  constructor(readonly agent: ContextStoreAgent) {
    super();
  }
  override get(): AgentConnection {
    return this.agent as unknown as AgentConnection;
  }
}

describe("runs built from a Dockerfile: spec, build contexts, dispatch (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let member: TeamContext;
  let viewer: TeamContext;
  let other: TeamContext;
  let contextTar: Buffer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-build-runs-"));
    // A real tar of a directory, 9 MiB of random bytes (so gzip cannot shrink it): three chunks.
    await mkdir(path.join(dir, "context"));
    await writeFile(path.join(dir, "context", "Dockerfile"), "FROM bailey-test/busybox:latest\nCOPY blob /blob\n");
    await writeFile(path.join(dir, "context", "blob"), randomBytes(9 * 1024 * 1024));
    execFileSync("tar", ["-cf", path.join(dir, "context.tar"), "-C", path.join(dir, "context"), "."]);
    contextTar = await readFile(path.join(dir, "context.tar"));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { team, ctx } = await createScratchTeam(prisma, { role: "member" });
    member = ctx;
    viewer = (await addScratchMember(prisma, team.id, { role: "viewer" })).ctx;
    other = (await createScratchTeam(prisma, { role: "admin" })).ctx;
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a spec names exactly one of image and build, and each bad build field says what to do", () => {
    assert.throws(() => validateRunSpec({ command: ["true"] }), refused("BAD_REQUEST", /image: give image \(the image to run.*\) or build/));
    assert.throws(() => validateRunSpec({ image: "node:20", build: { dockerfileInline: inline } }), refused("BAD_REQUEST", /build: give either image or build, not both/));
    assert.throws(() => validateRunSpec({ build: {} }), refused("BAD_REQUEST", /build\.context: a build needs a context .* or dockerfileInline/));
    assert.throws(() => validateRunSpec({ build: { context: "a".repeat(64), dockerfile: "Dockerfile", dockerfileInline: inline } }), refused("BAD_REQUEST", /not both/));
    assert.throws(() => validateRunSpec({ build: { context: "not-a-sha" } }), refused("BAD_REQUEST", /build\.context: must be the SHA-256/));
    assert.throws(() => validateRunSpec({ build: { context: "a".repeat(64), dockerfile: "../outside" } }), refused("BAD_REQUEST", /build\.dockerfile: must be a path inside the build context/));
    assert.throws(() => validateRunSpec({ build: { dockerfileInline: inline, target: "-x" } }), refused("BAD_REQUEST", /build\.target: must be a stage name/));
    assert.throws(() => validateRunSpec({ build: { dockerfileInline: inline, args: { "1BAD": "x" } } }), refused("BAD_REQUEST", /build\.args.*must be a build argument name/));
    // A stored spec names both: the build and the image it makes for its run, and only that one.
    const stored = validateRunSpec({ image: buildImageTag("run1"), pullPolicy: "never", build: { dockerfileInline: inline } }, { storedRunId: "run1" });
    assert.equal(stored.agentSpec.image, "bailey-build/run1:latest");
    assert.equal(stored.agentSpec.pullPolicy, "never");
    assert.throws(() => validateRunSpec({ image: "node:20", build: { dockerfileInline: inline } }, { storedRunId: "run1" }), refused("BAD_REQUEST", /not both/));
  });

  it("a build run is stored running the image built for it, never pulled, with its build as given", async () => {
    const { run } = await createRun({ prisma, ctx: member, spec: { build: { dockerfileInline: inline, target: "build", args: { VERSION: "1" } }, command: ["cat", "/out"] } });
    const image = `bailey-build/${run.id}:latest`;
    assert.equal(run.image, image);
    const spec = run.spec as Record<string, unknown>;
    assert.equal(spec.image, image);
    assert.equal(spec.pullPolicy, "never");
    assert.deepEqual(spec.build, { dockerfileInline: inline, target: "build", args: { VERSION: "1" } });
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { runId: run.id, action: "run.created" } });
    assert.deepEqual((audit.data as { build: unknown }).build, { context: null, dockerfile: "inline", target: "build" });
    // YAML says the same.
    const fromYaml = await createRunFromYaml({ prisma, ctx: member, yaml: `build:\n  dockerfileInline: |\n    FROM bailey-test/busybox:latest\ncommand: echo built\n` });
    assert.equal(fromYaml.run.image, `bailey-build/${fromYaml.run.id}:latest`);
    await assert.rejects(createRunFromYaml({ prisma, ctx: member, yaml: "image: node:20\nbuild:\n  dockerfileInline: FROM x\n" }), refused("BAD_REQUEST", /not both/));
  });

  it("uploads: a tar or gzip up to the limit, the same bytes are the same context, anything else says what to send", async () => {
    const first = await uploadBuildContext({ prisma, ctx: member, bytes: contextTar });
    assert.equal(first.created, true);
    assert.equal(first.context.sha256, createHash("sha256").update(contextTar).digest("hex"));
    assert.equal(first.context.sizeBytes, contextTar.length);
    const again = await uploadBuildContext({ prisma, ctx: member, bytes: contextTar });
    assert.deepEqual(again, { context: first.context, created: false });
    assert.equal(await prisma.auditEvent.count({ where: { action: "build_context.uploaded", targetId: first.context.id } }), 1, "audited once, on the upload that stored it");
    const gzipped = await uploadBuildContext({ prisma, ctx: member, bytes: gzipSync(contextTar.subarray(0, 10_240)) });
    assert.equal(gzipped.created, true);

    await assert.rejects(uploadBuildContext({ prisma, ctx: member, bytes: Buffer.from("FROM busybox\n".repeat(100)) }), refused("BAD_REQUEST", /not a tar or a gzip; make one with e\.g\. `tar -czf/));
    await assert.rejects(uploadBuildContext({ prisma, ctx: member, bytes: Buffer.alloc(0) }), refused("BAD_REQUEST", /body is empty/));
    const tooLarge = Buffer.alloc(maxBuildContextBytes + 1);
    contextTar.copy(tooLarge, 0, 0, 512);
    await assert.rejects(uploadBuildContext({ prisma, ctx: member, bytes: tooLarge }), refused("PAYLOAD_TOO_LARGE", /at most 32 MiB/));
    await assert.rejects(uploadBuildContext({ prisma, ctx: viewer, bytes: contextTar }), refused("FORBIDDEN", /member/));

    const listed = await listBuildContexts({ prisma, ctx: viewer });
    assert.deepEqual(listed.map((context) => context.sha256).sort(), [first.context.sha256, gzipped.context.sha256].sort());
    assert.ok(!("data" in (listed[0] as object)), "the list never carries the bytes");
  });

  it("a run's build.context must be one its own team uploaded", async () => {
    const sha256 = createHash("sha256").update(contextTar).digest("hex");
    const { run } = await createRun({ prisma, ctx: member, spec: { build: { context: sha256 } } });
    assert.equal((run.spec as { build: { context: string } }).build.context, sha256);
    await assert.rejects(createRun({ prisma, ctx: member, spec: { build: { context: "b".repeat(64) } } }), refused("BAD_REQUEST", /upload it first \(POST \/api\/v1\/build-contexts/));
    // Another team knows the hash but not the context: the same refusal, and its list is empty.
    await assert.rejects(createRun({ prisma, ctx: other, spec: { build: { context: sha256 } } }), refused("BAD_REQUEST", /this team has no build context/));
    assert.deepEqual(await listBuildContexts({ prisma, ctx: other }), []);
    const theirs = await uploadBuildContext({ prisma, ctx: other, bytes: contextTar });
    assert.equal(theirs.created, true, "the same bytes are a context of each team that uploads them");
    assert.notEqual(theirs.context.id, (await listBuildContexts({ prisma, ctx: member })).find((context) => context.sha256 === sha256)?.id);
  });

  it("dispatch puts the context in chunks before run.create, resuming from what the host holds", async () => {
    const sha256 = createHash("sha256").update(contextTar).digest("hex");
    const host = await prisma.host.create({
      data: { teamId: member.teamId, name: "builder", transport: "local", address: "/nonexistent/agent.sock", capacityRuns: 4, status: "online", hasRunsc: true, hasBuilds: true },
    });
    const agent = new ContextStoreAgent();
    // The host already holds the first chunk and a bit (an earlier dispatch was cut off).
    agent.held.set(sha256, contextTar.subarray(0, maxBuildContextChunkBytes + 1000));
    const { run } = await createRun({ prisma, ctx: member, spec: { build: { context: sha256, dockerfile: "Dockerfile" }, command: ["ls", "/blob"] } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId: host.id, dispatchAttempts: 1 } });
    await dispatchOne(prisma, new OneAgent(agent), run.id);

    const puts = agent.putCalls();
    const withData = puts.filter((call) => String(call.params.data).length > 0);
    assert.equal(puts[0]?.params.offset, 0, "asks first how far the host got");
    assert.deepEqual(
      withData.map((call) => call.params.offset),
      [maxBuildContextChunkBytes + 1000, 2 * maxBuildContextChunkBytes + 1000],
      "sends only what the host lacks, from its receivedBytes",
    );
    assert.ok(agent.complete.has(sha256));
    const methods = agent.calls.map((call) => call.method);
    assert.ok(methods.lastIndexOf("build.context.put") < methods.indexOf("run.create"), "the context is on the host before run.create");
    const create = agent.calls.find((call) => call.method === "run.create")!.params as { spec: { image: string; pullPolicy: string; build: unknown } };
    assert.equal(create.spec.image, `bailey-build/${run.id}:latest`);
    assert.equal(create.spec.pullPolicy, "never");
    assert.deepEqual(create.spec.build, { context: sha256, dockerfile: "Dockerfile", args: {} });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "running");

    // A host that has it complete is asked once and sent nothing.
    const before = agent.putCalls().length;
    const sent = await putBuildContextOnHost(agent as unknown as AgentConnection, sha256, contextTar);
    assert.equal(sent.sentBytes, 0);
    assert.equal(agent.putCalls().length, before + 1);

    // The timeline reads the run's build.* events from its host's journal.
    await prisma.hostEvent.createMany({
      data: [
        { hostId: host.id, seq: 1n, runId: run.id, type: "build.started", payload: { image: `bailey-build/${run.id}:latest`, context: sha256 }, occurredAt: new Date() },
        { hostId: host.id, seq: 2n, runId: run.id, type: "build.builder", payload: { image: "x", builder: "engine-buildkit", reason: "the engine has BuildKit" }, occurredAt: new Date() },
        { hostId: host.id, seq: 3n, runId: run.id, type: "build.finished", payload: { image: "x", builder: "engine-buildkit", durationMs: 4200 }, occurredAt: new Date() },
        { hostId: host.id, seq: 4n, runId: run.id, type: "container.started", payload: {}, occurredAt: new Date() },
      ],
    });
    const detail = await getRun({ prisma, ctx: member, runId: run.id });
    assert.deepEqual(
      detail.buildSteps.map((step) => [step.type, step.builder, step.durationMs]),
      [
        ["build.started", null, null],
        ["build.builder", "engine-buildkit", null],
        ["build.finished", "engine-buildkit", 4200],
      ],
    );
  });

  it("a context gone before dispatch fails the run saying to upload it again", async () => {
    const bytes = gzipSync(Buffer.concat([contextTar.subarray(0, 2048), randomBytes(64)]));
    const { context } = await uploadBuildContext({ prisma, ctx: member, bytes });
    const host = await prisma.host.findFirstOrThrow({ where: { teamId: member.teamId, name: "builder" } });
    const { run } = await createRun({ prisma, ctx: member, spec: { build: { context: context.sha256 } } });
    await prisma.buildContext.delete({ where: { id: context.id } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId: host.id, dispatchAttempts: 1 } });
    const agent = new ContextStoreAgent();
    await dispatchOne(prisma, new OneAgent(agent), run.id);
    const failed = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(failed.state, "failed");
    assert.match(failed.stateReason ?? "", /build context could not be read: .*upload it first/);
    assert.ok(!agent.calls.some((call) => call.method === "run.create"), "nothing was created on the host");
  });

  it("a failed build fails the run with its error and leaves the agent's record (its build output is the run's logs) until the run is destroyed", async () => {
    const host = await prisma.host.findFirstOrThrow({ where: { teamId: member.teamId, name: "builder" } });
    const dispatchFailing = async (error: RpcError) => {
      const { run } = await createRun({ prisma, ctx: member, spec: { build: { dockerfileInline: "FROM bailey-test/busybox:latest\nRUN exit 7\n" } } });
      await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId: host.id, dispatchAttempts: 1 } });
      const agent = new ContextStoreAgent();
      agent.createFails = error;
      // What the agent journaled while it built, before it answered run.create.
      const seq = Date.now();
      agent.journal = [
        { seq, at: new Date().toISOString(), type: "build.failed", runId: run.id, data: { image: `bailey-build/${run.id}:latest`, message: "exit code: 7" } },
        { seq: seq + 1, at: new Date().toISOString(), type: "run.failed", runId: run.id, data: { error: "exit code: 7", during: "build" } },
      ];
      await dispatchOne(prisma, new OneAgent(agent), run.id);
      const steps = await runBuildSteps(prisma, { id: run.id, hostId: host.id });
      return { run: await prisma.run.findUniqueOrThrow({ where: { id: run.id } }), methods: agent.calls.map((call) => call.method), steps };
    };
    const built = await dispatchFailing(new RpcError(rpcErrorCodes.internalError, "Building run x's image failed: exit code: 7", { runId: "x", during: "build" }));
    assert.equal(built.run.state, "failed");
    // The agent's run.failed, ingested first, gives the reason; it says it was the build, as the page's alert shows.
    assert.match(built.run.stateReason ?? "", /^Building run .*'s image failed .*exit code: 7/);
    assert.ok(!built.methods.includes("run.destroy"), built.methods.join(", "));
    // The build's failure is in the run's timeline by the time the run is failed, not a tick later.
    assert.deepEqual(
      built.steps.map((step) => [step.type, step.message]),
      [["build.failed", "exit code: 7"]],
    );
    // Any other failure of run.create is still destroyed on the host.
    const other = await dispatchFailing(new RpcError(rpcErrorCodes.internalError, "Provisioning run x failed"));
    assert.equal(other.run.state, "failed");
    assert.ok(other.methods.includes("run.destroy"), other.methods.join(", "));
  });

  it("only hosts that can build take a build run, and the wait reason says so", () => {
    const run = { sandbox: "gvisor" as const, dependencies: [], placement: null, build: true };
    const host = { name: "mac", labels: {}, capacityRuns: 2, hasNetworks: true, hasSidecars: true, hasBuilds: false, hasRunsc: true, allowedCapabilities: [] };
    assert.deepEqual(hostMismatches(run, host), ["cannot build images (its container runtime has no image builds; Docker and Podman hosts can)"]);
    assert.deepEqual(hostMismatches(run, { ...host, hasBuilds: true }), []);
    assert.deepEqual(hostMismatches({ ...run, build: false }, host), []);
  });

  it("a queued build run waits for a host that can build, saying so, and is placed on one", async () => {
    const { ctx } = await createScratchTeam(prisma, { role: "member" });
    const apple = await prisma.host.create({
      data: { teamId: ctx.teamId, name: "apple", address: "127.0.0.1", status: "online", capacityRuns: 2, hasRunsc: true, hasBuilds: false, lastSeenAt: new Date() },
    });
    const { run } = await createRun({ prisma, ctx, spec: { build: { dockerfileInline: inline } } });
    const { run: plain } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest" } });
    await placeQueuedRuns({ prisma });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: plain.id } })).hostId, apple.id, "a run with an image goes to the host that cannot build");
    await explainQueuedRuns({ prisma, teamId: ctx.teamId });
    const waiting = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(waiting.state, "queued");
    assert.match(waiting.waitReason ?? "", /no host matches a run with gVisor and a build from a Dockerfile: apple cannot build images/);
    assert.ok(waiting.unplaceableSince, "no host of the team could ever take it");
    const builder = await prisma.host.create({
      data: { teamId: ctx.teamId, name: "docker", address: "127.0.0.1", status: "online", capacityRuns: 2, hasRunsc: true, hasBuilds: true, lastSeenAt: new Date() },
    });
    await placeQueuedRuns({ prisma });
    const placed = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(placed.state, "scheduled");
    assert.equal(placed.hostId, builder.id);
  });

  it("contexts older than 7 days are pruned unless an active run builds from them", async () => {
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    const used = await uploadBuildContext({ prisma, ctx: member, bytes: gzipSync(randomBytes(100)) });
    const unused = await uploadBuildContext({ prisma, ctx: member, bytes: gzipSync(randomBytes(100)) });
    await createRun({ prisma, ctx: member, spec: { build: { context: used.context.sha256 } } });
    await prisma.buildContext.updateMany({ where: { id: { in: [used.context.id, unused.context.id] } }, data: { createdAt: old } });
    assert.equal(await pruneBuildContexts(prisma), 1);
    const left = new Set((await listBuildContexts({ prisma, ctx: member })).map((context) => context.id));
    assert.ok(left.has(used.context.id), "a queued run's context stays");
    assert.ok(!left.has(unused.context.id), "an old unused one is gone");
  });
});
