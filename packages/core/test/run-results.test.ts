import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { AgentConnection } from "@bailey/agent-client";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AgentEvent, RpcError, rpcErrorCodes, type RunResults } from "@bailey/protocol";
import {
  AppError,
  type BlobStore,
  type ResultsAgent,
  createRun,
  createRunFromYaml,
  createSecretsKeyFile,
  createTeamGrant,
  createTeamSecret,
  destroyRun,
  getRunResults,
  HostConnections,
  ingestHostEvents,
  openRunResult,
  placeQueuedRuns,
  shipRunResults,
  type TeamContext,
  tick,
  validateRunSpec,
} from "../src";
import { dispatchOne } from "../src/scheduler/dispatch";
import { hostMismatches } from "../src/scheduler/host-fit";

const image = "bailey-test/busybox:latest";
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

const refused = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

const failingStream = (message: string) =>
  new Readable({
    read() {
      this.destroy(new Error(message));
    },
  });

/** The BlobStore contract in memory: parts keyed by offset, a part written again replaces the one there. */
export class MemoryBlobStore implements BlobStore {
  readonly kind = "directory" as const;
  readonly parts = new Map<string, Map<number, Buffer>>();
  puts = 0;
  async putPart(key: string, offset: number, data: Buffer): Promise<void> {
    this.puts += 1;
    const parts = this.parts.get(key) ?? new Map<number, Buffer>();
    parts.set(offset, Buffer.from(data));
    this.parts.set(key, parts);
  }
  read(key: string, sizeBytes: number): Readable {
    const parts = [...(this.parts.get(key) ?? new Map<number, Buffer>()).entries()].sort(([a], [b]) => a - b);
    const chunks: Buffer[] = [];
    let at = 0;
    for (const [offset, data] of parts) {
      if (offset !== at) return failingStream(`${key}: no part at ${at}`);
      chunks.push(data);
      at += data.length;
      if (at >= sizeBytes) break;
    }
    if (at < sizeBytes) return failingStream(`${key}: ${at} of ${sizeBytes} bytes stored`);
    return Readable.from([Buffer.concat(chunks).subarray(0, sizeBytes)]);
  }
  async deletePrefix(prefix: string): Promise<number> {
    let freed = 0;
    for (const [key, parts] of this.parts) {
      if (!key.startsWith(prefix)) continue;
      for (const data of parts.values()) freed += data.length;
      this.parts.delete(key);
    }
    return freed;
  }
  /** The parts of `key` never overlap and add up to exactly `size`: nothing stored twice. */
  storedOnce(key: string, size: number): boolean {
    const parts = [...(this.parts.get(key) ?? new Map<number, Buffer>()).entries()].sort(([a], [b]) => a - b);
    let at = 0;
    for (const [offset, data] of parts) {
      if (offset !== at) return false;
      at += data.length;
    }
    return at === size;
  }
}

/**
 * The agent's side of run.results and run.results.read as the contract says it behaves (files
 * kept on the host until destroy), with faults on demand: a connection cut after some reads,
 * corrupted bytes for the first pulls. Also serves a journal for ingestion.
 */
class FakeAgent {
  files = new Map<string, { kind: "diff" | "bundle" | "artifact"; data: Buffer }>();
  state: RunResults["state"] = "ready";
  missing: { name: string; reason: string }[] = [];
  baseCommit: string | null = "a".repeat(40);
  headCommit: string | null = "b".repeat(40);
  pushed: { branch: string; commit: string } | null = null;
  journal: AgentEvent[] = [];
  /** What run.create answers with instead of success. */
  createFails: RpcError | null = null;
  /** The host no longer knows the run (its state was lost). */
  gone = false;
  reads = 0;
  /** Reads left before the connection drops (null: never). */
  cutAfterReads: number | null = null;
  /** Pulls (whole passes from offset 0) of this name whose bytes arrive corrupted. */
  corruptPasses = new Map<string, number>();
  readonly requests: { method: string; params: Record<string, unknown> }[] = [];

  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    this.requests.push({ method, params });
    if (method === "events.pull") return { events: this.journal.filter((event) => event.seq > Number(params.afterSeq)).slice(0, Number(params.limit)) };
    if (method === "run.start") return { containerId: `container-${params.runId}`, imageDigest: null, networkId: null, networkName: null, sidecars: [] };
    if (method === "run.create" && this.createFails) throw this.createFails;
    if (method === "run.destroy") return { removed: [] };
    if (method === "run.logs.read") return { data: "", sizeBytes: 0, complete: true };
    if (method === "run.results" && this.gone) throw new RpcError(rpcErrorCodes.runNotFound, `Run ${String(params.runId)} is not on this host.`);
    if (method === "run.results") {
      return {
        runId: params.runId,
        state: this.state,
        files: [...this.files].map(([name, file]) => ({ name, kind: file.kind, sizeBytes: file.data.length, sha256: sha256(file.data) })),
        missing: this.missing,
        baseCommit: this.baseCommit,
        headCommit: this.headCommit,
        pushed: this.pushed,
      };
    }
    if (method === "run.results.read") {
      if (this.cutAfterReads !== null && this.cutAfterReads-- <= 0) {
        this.cutAfterReads = null;
        throw new RpcError(rpcErrorCodes.connectionClosed, "the SSH connection to the host closed");
      }
      this.reads += 1;
      const name = String(params.name);
      const file = this.files.get(name);
      if (!file) throw new RpcError(rpcErrorCodes.runNotFound, `no result ${name}`);
      const offset = Number(params.offset);
      const data = Buffer.from(file.data.subarray(offset, offset + Number(params.length)));
      const corrupt = this.corruptPasses.get(name) ?? 0;
      if (corrupt > 0 && data.length) {
        data[0] = data[0]! ^ 0xff;
        if (offset + data.length >= file.data.length) this.corruptPasses.set(name, corrupt - 1);
      }
      return { data: data.toString("base64"), eof: offset + data.length >= file.data.length };
    }
    return {};
  }
}

/** The fake as the shipper's port (its request is typed per method; the fake answers loosely). */
const port = (agent: FakeAgent) => agent as unknown as ResultsAgent;

class OneAgent extends HostConnections {
  constructor(readonly agent: FakeAgent) {
    super();
  }
  override get(): AgentConnection {
    return this.agent as unknown as AgentConnection;
  }
}

/** A host whose agent never answers (a lost machine). */
class SilentHost extends HostConnections {
  override get(): AgentConnection {
    return {
      hello: async () => {
        throw new RpcError(rpcErrorCodes.connectionClosed, "connect ECONNREFUSED");
      },
      request: async () => {
        throw new RpcError(rpcErrorCodes.connectionClosed, "connect ECONNREFUSED");
      },
    } as unknown as AgentConnection;
  }
}

describe("run results: spec, placement, the final state waits for them, shipping (real Postgres, fake agent)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let admin: TeamContext;
  let hostId = "";
  let seq = 0;
  const previousKeyFile = process.env.BAILEY_SECRETS_KEY_FILE;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-run-results-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(dir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    admin = (await createScratchTeam(prisma, { role: "admin" })).ctx;
    hostId = (
      await prisma.host.create({
        data: { teamId: admin.teamId, name: "worker", transport: "local", address: "/nonexistent/agent.sock", capacityRuns: 50, status: "online", hasRunsc: true, hasWorkspaces: true },
      })
    ).id;
    await createTeamSecret({ prisma, ctx: admin, name: "GIT_TOKEN", value: `ghp_${randomBytes(8).toString("hex")}` });
    await createTeamSecret({ prisma, ctx: admin, name: "DEPLOY_KEY", value: "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----\n" });
    await createTeamGrant({ prisma, ctx: admin, name: "git-example", secretName: "GIT_TOKEN", hosts: ["git.example.com"], inject: { kind: "basic", username: "x-access-token" } });
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
    if (previousKeyFile === undefined) delete process.env.BAILEY_SECRETS_KEY_FILE;
    else process.env.BAILEY_SECRETS_KEY_FILE = previousKeyFile;
  });

  /** A workspace run that started on the host and whose container has just exited (ingested from the agent's journal). */
  const endedRun = async (agent: FakeAgent, { exitCode = 0, spec = {} as Record<string, unknown> } = {}) => {
    const { run } = await createRun({ prisma, ctx: admin, spec: { image, command: ["true"], workspace: { git: "https://git.example.com/repo.git" }, artifacts: ["out/**"], ...spec } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "running", hostId, startedAt: new Date() } });
    agent.journal.push({ seq: ++seq, at: new Date().toISOString(), type: "workspace.ready", runId: run.id, data: { commit: "c".repeat(40), durationMs: 12 } } as AgentEvent);
    agent.journal.push({ seq: ++seq, at: new Date().toISOString(), type: "container.exited", runId: run.id, data: { exitCode } } as AgentEvent);
    const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    await ingestHostEvents({ prisma, connections: new OneAgent(agent), host });
    return run.id;
  };

  it("a spec's workspace, artifacts and push are checked, each error saying what to do; the stored spec keeps them", async () => {
    assert.throws(() => validateRunSpec({ image, push: { branch: "bailey/x" } }), refused("BAD_REQUEST", /push: push needs a repository to push to: add workspace: \{git: <url>\}/));
    assert.throws(() => validateRunSpec({ image, workspace: {}, push: { branch: "bailey/x" } }), refused("BAD_REQUEST", /push needs a repository/));
    assert.throws(() => validateRunSpec({ image, artifacts: ["dist/**"] }), refused("BAD_REQUEST", /artifacts: artifacts are collected from the run's workspace: add workspace: \{\}/));
    assert.throws(() => validateRunSpec({ image, workspace: { ref: "main" } }), refused("BAD_REQUEST", /workspace\.ref: ref is for cloning a repository: add workspace\.git/));
    assert.throws(() => validateRunSpec({ image, workspace: { git: "/srv/repo" } }), refused("BAD_REQUEST", /workspace\.git: must be a git remote URL/));
    assert.throws(() => validateRunSpec({ image, workspace: { git: "https://h/r.git", sshKeySecret: "DEPLOY_KEY" } }), refused("BAD_REQUEST", /for an https:\/\/ remote use workspace\.grant/));
    assert.throws(() => validateRunSpec({ image, workspace: {}, artifacts: ["../etc/passwd"] }), refused("BAD_REQUEST", /artifacts\.0: must be a glob relative to the workdir/));
    assert.throws(() => validateRunSpec({ image, workspace: {}, user: "root" }), refused("BAD_REQUEST", /user: must be a numeric uid or uid:gid/));
    assert.doesNotThrow(() => validateRunSpec({ image, workspace: {}, artifacts: ["report.json"] }), "an empty workspace is enough for artifacts");

    await assert.rejects(
      createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "https://git.example.com/r.git", grant: "nope" } } }),
      refused("BAD_REQUEST", /workspace\.grant names nope, which the team does not have\. An admin can create it on the Grants page/),
    );
    await assert.rejects(
      createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "https://github.com/o/r.git", grant: "git-example" } } }),
      refused("BAD_REQUEST", /covers git\.example\.com, not github\.com.*Add github\.com to the grant's hosts/),
    );
    await assert.rejects(
      createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "git@git.example.com:o/r.git", sshKeySecret: "NOPE" } } }),
      refused("BAD_REQUEST", /workspace\.sshKeySecret names NOPE, which the team does not have\. Save the deploy key's private key as a secret/),
    );
    const spec = {
      image,
      workspace: { git: "https://git.example.com/o/r.git", ref: "main", depth: 1, grant: "git-example" },
      user: "1000:1000",
      workdir: "/src",
      artifacts: ["dist/**"],
      push: { branch: "bailey/one" },
    };
    const { run } = await createRun({ prisma, ctx: admin, spec });
    const stored = run.spec as Record<string, unknown>;
    for (const field of ["workspace", "user", "workdir", "artifacts", "push"] as const) assert.deepEqual(stored[field], spec[field], `the stored spec keeps ${field}`);
    assert.deepEqual(validateRunSpec(run.spec, { storedRunId: run.id }).agentSpec.workspace, spec.workspace, "the agent's spec carries the workspace");

    // moat.yaml: workspace as a URL and artifacts map; a local directory is reported, not dropped.
    const moat = await createRunFromYaml({ prisma, ctx: admin, yaml: "agent: coder\nimage: node:20\nworkspace: https://git.example.com/o/r.git\nartifacts: [out/*.txt]\n" });
    assert.deepEqual((moat.run.spec as Record<string, unknown>).workspace, { git: "https://git.example.com/o/r.git" });
    assert.deepEqual((moat.run.spec as Record<string, unknown>).artifacts, ["out/*.txt"]);
    const local = await createRunFromYaml({ prisma, ctx: admin, yaml: "agent: coder\nimage: node:20\nworkspace: .\n" });
    assert.match(local.ignored.find((entry) => entry.field === "workspace")?.reason ?? "", /a local directory cannot be the workspace; give workspace: \{git:/);
  });

  it("the clone's grant and deploy key reach the agent in credentials although the run's grants and secrets do not name them", async () => {
    const agent = new FakeAgent();
    const { run } = await createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "https://git.example.com/o/r.git", grant: "git-example" } } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId, dispatchAttempts: 1 } });
    await dispatchOne(prisma, new OneAgent(agent), run.id);
    const create = agent.requests.find((request) => request.method === "run.create" && request.params.runId === run.id);
    const credentials = create?.params.credentials as { grants?: { name: string; hosts: string[] }[]; secrets: Record<string, string> } | undefined;
    assert.deepEqual(
      credentials?.grants?.map((grant) => [grant.name, grant.hosts]),
      [["git-example", ["git.example.com"]]],
    );
    assert.deepEqual((create?.params.spec as { grants: string[] } | undefined)?.grants, [], "the run's own grants stay as written");

    const keyed = await createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "git@git.example.com:o/r.git", sshKeySecret: "DEPLOY_KEY" } } });
    await prisma.run.update({ where: { id: keyed.run.id }, data: { state: "provisioning", hostId, dispatchAttempts: 1 } });
    await dispatchOne(prisma, new OneAgent(agent), keyed.run.id);
    const keyedCreate = agent.requests.find((request) => request.method === "run.create" && request.params.runId === keyed.run.id);

    // A clone that fails inside run.create: the run fails, and its results say why there are none.
    const broken = await createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "https://git.example.com/missing.git", grant: "git-example" } } });
    await prisma.run.update({ where: { id: broken.run.id }, data: { state: "provisioning", hostId, dispatchAttempts: 1 } });
    agent.createFails = new RpcError(rpcErrorCodes.internalError, "workspace: git clone failed: repository not found");
    await dispatchOne(prisma, new OneAgent(agent), broken.run.id);
    agent.createFails = null;
    const brokenResults = await getRunResults({ prisma, ctx: admin, runId: broken.run.id });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: broken.run.id } })).state, "failed");
    assert.equal(brokenResults.state, "partial");
    assert.match(brokenResults.missing[0]?.reason ?? "", /the run ended before its results were collected: .*repository not found/);
    assert.match((keyedCreate?.params.credentials as { secrets: Record<string, string> } | undefined)?.secrets.DEPLOY_KEY ?? "", /BEGIN OPENSSH PRIVATE KEY/);
  });

  it("a workspace run goes only to a host with workspaces; otherwise it waits saying why", async () => {
    const traits = { name: "old", labels: {}, capacityRuns: 4, hasNetworks: true, hasSidecars: true, hasBuilds: true, hasRunsc: true, allowedCapabilities: [] };
    assert.deepEqual(hostMismatches({ sandbox: "gvisor", dependencies: [], placement: null, workspace: true }, traits), [
      "cannot clone workspaces (its agent predates workspaces and results, or has no git; upgrade bailey-agent there, and bailey-agent doctor says what is missing)",
    ]);
    assert.deepEqual(hostMismatches({ sandbox: "gvisor", dependencies: [], placement: null, workspace: true }, { ...traits, hasWorkspaces: true }), []);
    const team = await createScratchTeam(prisma, { role: "member" });
    const old = await prisma.host.create({ data: { teamId: team.team.id, name: "old-agent", transport: "local", address: "/x", capacityRuns: 4, status: "online", hasRunsc: true } });
    const { run } = await createRun({ prisma, ctx: team.ctx, spec: { image, workspace: {}, artifacts: ["out.txt"] } });
    const plain = await createRun({ prisma, ctx: team.ctx, spec: { image } });
    await placeQueuedRuns({ prisma });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: plain.run.id } })).hostId, old.id, "a run without a workspace still goes to the old host");
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "queued");
    const { explainQueuedRuns } = await import("../src");
    await explainQueuedRuns({ prisma, teamId: team.team.id });
    assert.match((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).waitReason ?? "", /no host matches a run with gVisor and a workspace: old-agent cannot clone workspaces/);
    const fresh = await prisma.host.create({
      data: { teamId: team.team.id, name: "new-agent", transport: "local", address: "/y", capacityRuns: 4, status: "online", hasRunsc: true, hasWorkspaces: true },
    });
    await placeQueuedRuns({ prisma });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).hostId, fresh.id);
  });

  it("a run is final only once its results are stored: exited, it collects them; shipped, it succeeds (audited), and they download byte-identical", async () => {
    const agent = new FakeAgent();
    const diff = Buffer.from("diff --git a/README b/README\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n");
    const bundle = randomBytes(300_000);
    const artifact = randomBytes(5 * 1024 * 1024 + 17);
    agent.files.set("diff.patch", { kind: "diff", data: diff });
    agent.files.set("commits.bundle", { kind: "bundle", data: bundle });
    agent.files.set("artifacts/out/report.bin", { kind: "artifact", data: artifact });
    agent.pushed = { branch: "bailey/x", commit: "d".repeat(40) };
    agent.state = "pending";
    const runId = await endedRun(agent);
    let run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(run.state, "running", "not succeeded before its results are stored");
    assert.equal(run.stateReason, "collecting results");
    assert.equal(run.endedState, "succeeded");
    assert.equal(run.endedReason, "exit code 0");
    assert.equal(run.exitCode, 0);
    assert.equal(run.resultsState, "pending");
    assert.equal(run.baseCommit, "c".repeat(40), "workspace.ready's commit");
    assert.equal((await getRunResults({ prisma, ctx: admin, runId })).state, "pending");

    const blobs = new MemoryBlobStore();
    // The agent is still collecting: nothing happens.
    assert.deepEqual(await shipRunResults({ prisma, blobs, agent: port(agent), runId }), { bytes: 0, finished: false });
    agent.state = "ready";
    const shipped = await shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 1024 * 1024 });
    assert.equal(shipped.finished, true);
    assert.equal(shipped.bytes, diff.length + bundle.length + artifact.length);
    run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(run.state, "succeeded");
    assert.equal(run.stateReason, "exit code 0");
    assert.equal(run.resultsState, "complete");
    assert.equal(run.headCommit, "b".repeat(40));
    assert.deepEqual([run.pushedBranch, run.pushedCommit], ["bailey/x", "d".repeat(40)]);
    assert.equal(await prisma.auditEvent.count({ where: { runId, action: "run.succeeded" } }), 1, "the final transition is audited once");

    const view = await getRunResults({ prisma, ctx: admin, runId });
    assert.equal(view.state, "complete");
    assert.deepEqual(view.missing, []);
    assert.deepEqual(view.pushed, { branch: "bailey/x", commit: "d".repeat(40) });
    assert.deepEqual(view.workspace, { git: "https://git.example.com/repo.git", ref: null });
    assert.deepEqual(
      view.files.map((file) => [file.name, file.kind, file.sizeBytes, file.stored]),
      [
        ["artifacts/out/report.bin", "artifact", artifact.length, true],
        ["commits.bundle", "bundle", bundle.length, true],
        ["diff.patch", "diff", diff.length, true],
      ],
    );
    for (const [name, data] of [
      ["diff.patch", diff],
      ["commits.bundle", bundle],
      ["artifacts/out/report.bin", artifact],
    ] as const) {
      const opened = await openRunResult({ prisma, blobs, ctx: admin, runId, name });
      const chunks: Buffer[] = [];
      for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
      assert.equal(sha256(Buffer.concat(chunks)), sha256(data), `${name} downloads byte-identical`);
      assert.equal(opened.sha256, sha256(data));
    }
    const other = await createScratchTeam(prisma, { role: "admin" });
    await assert.rejects(getRunResults({ prisma, ctx: other.ctx, runId }), refused("NOT_FOUND", /Run not found/));
    await assert.rejects(openRunResult({ prisma, blobs, ctx: other.ctx, runId, name: "diff.patch" }), refused("NOT_FOUND", /Run not found/));
    await assert.rejects(openRunResult({ prisma, blobs, ctx: admin, runId, name: "artifacts/nope" }), refused("NOT_FOUND", /artifacts\/nope of run .* is not stored yet|has no artifacts\/nope/));
  });

  it("an SSH cut mid-file: the next pull resumes at the stored offset, bounded per call, and the file is stored once with the right SHA-256", async () => {
    const agent = new FakeAgent();
    const big = randomBytes(24 * 1024 * 1024 + 5);
    agent.files.set("artifacts/big.bin", { kind: "artifact", data: big });
    const runId = await endedRun(agent, { exitCode: 3 });
    const blobs = new MemoryBlobStore();
    agent.cutAfterReads = 5;
    await assert.rejects(shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 1024 * 1024 }), /SSH connection to the host closed/);
    const row = await prisma.runResult.findUniqueOrThrow({ where: { runId_name: { runId, name: "artifacts/big.bin" } } });
    assert.equal(row.storedBytes, 5n * 1024n * 1024n, "the five chunks before the cut are recorded");
    const readsBefore = agent.reads;
    // 8 MiB per call: three calls for the remaining 19 MiB, the run still running in between.
    const first = await shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 1024 * 1024, budgetBytes: 8 * 1024 * 1024 });
    assert.deepEqual(first, { bytes: 8 * 1024 * 1024, finished: false });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state, "running");
    let finished = false;
    for (let call = 0; call < 3 && !finished; call += 1)
      finished = (await shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 1024 * 1024, budgetBytes: 8 * 1024 * 1024 })).finished;
    assert.ok(finished);
    assert.equal(agent.reads - readsBefore, 20, "19 MiB and 5 bytes in 1 MiB reads, none repeated");
    assert.ok(blobs.storedOnce(`runs/${runId}/results/artifacts/big.bin`, big.length), "parts neither overlap nor repeat");
    const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(run.state, "failed", "exit code 3");
    assert.equal(run.stateReason, "exit code 3");
    assert.equal(run.resultsState, "complete");
    const opened = await openRunResult({ prisma, blobs, ctx: admin, runId, name: "artifacts/big.bin" });
    const hash = createHash("sha256");
    for await (const chunk of opened.stream) hash.update(chunk as Buffer);
    assert.equal(hash.digest("hex"), sha256(big));
  });

  it("two shippers at once store each part once and end the run once", async () => {
    const agent = new FakeAgent();
    const data = randomBytes(6 * 1024 * 1024);
    agent.files.set("artifacts/a.bin", { kind: "artifact", data });
    agent.files.set("diff.patch", { kind: "diff", data: Buffer.from("x") });
    const runId = await endedRun(agent);
    const blobs = new MemoryBlobStore();
    const [a, b] = await Promise.all([
      shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 512 * 1024 }),
      shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 512 * 1024 }),
    ]);
    assert.equal(Number(a.finished) + Number(b.finished), 1, "one of them ended the run");
    assert.ok(blobs.storedOnce(`runs/${runId}/results/artifacts/a.bin`, data.length));
    assert.equal(await prisma.runTransition.count({ where: { runId, toState: "succeeded" } }), 1);
    assert.equal((await prisma.runResult.findUniqueOrThrow({ where: { runId_name: { runId, name: "artifacts/a.bin" } } })).storedBytes, BigInt(data.length));
  });

  it("a SHA-256 mismatch restarts the file from 0 once; twice wrong, the run ends partial naming it", async () => {
    const agent = new FakeAgent();
    const good = randomBytes(3 * 1024 * 1024);
    agent.files.set("artifacts/flaky.bin", { kind: "artifact", data: good });
    agent.corruptPasses.set("artifacts/flaky.bin", 1);
    const runId = await endedRun(agent);
    const blobs = new MemoryBlobStore();
    assert.equal((await shipRunResults({ prisma, blobs, agent: port(agent), runId, chunkBytes: 1024 * 1024 })).finished, true);
    let run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(run.resultsState, "complete", "pulled again from the start and right the second time");
    assert.deepEqual(run.resultsMissing, []);

    const bad = new FakeAgent();
    bad.files.set("artifacts/bad.bin", { kind: "artifact", data: randomBytes(1024) });
    bad.files.set("diff.patch", { kind: "diff", data: Buffer.from("ok") });
    bad.corruptPasses.set("artifacts/bad.bin", 5);
    bad.missing = [{ name: "artifacts", reason: "out/huge.iso is 3 GiB, over the 1 GiB per-file cap" }];
    const badRun = await endedRun(bad);
    assert.equal((await shipRunResults({ prisma, blobs, agent: port(bad), runId: badRun })).finished, true);
    run = await prisma.run.findUniqueOrThrow({ where: { id: badRun } });
    assert.equal(run.state, "succeeded", "the run's own outcome stands");
    assert.equal(run.resultsState, "partial");
    const view = await getRunResults({ prisma, ctx: admin, runId: badRun });
    assert.deepEqual(
      view.missing.map((entry) => entry.name),
      ["artifacts", "artifacts/bad.bin"],
    );
    assert.match(view.missing[1]!.reason, /SHA-256 did not match the host's twice/);
    assert.deepEqual(
      view.files.map((file) => [file.name, file.stored]),
      [
        ["artifacts/bad.bin", false],
        ["diff.patch", true],
      ],
    );
    await assert.rejects(openRunResult({ prisma, blobs, ctx: admin, runId: badRun, name: "artifacts/bad.bin" }), refused("NOT_FOUND", /is missing: its SHA-256 did not match/));
  });

  it("a run that fails before it starts has no results and says why; run.failed after start waits for them like an exit", async () => {
    const agent = new FakeAgent();
    const { run } = await createRun({ prisma, ctx: admin, spec: { image, workspace: { git: "https://git.example.com/gone.git" } } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId } });
    agent.journal.push({ seq: ++seq, at: new Date().toISOString(), type: "run.failed", runId: run.id, data: { error: "workspace: git clone failed: repository not found" } } as AgentEvent);
    await ingestHostEvents({ prisma, connections: new OneAgent(agent), host: await prisma.host.findUniqueOrThrow({ where: { id: hostId } }) });
    const failed = await getRunResults({ prisma, ctx: admin, runId: run.id });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "failed");
    assert.equal(failed.state, "partial");
    assert.match(failed.missing[0]?.reason ?? "", /ended before its workspace was ready: workspace: git clone failed/);

    const started = await createRun({ prisma, ctx: admin, spec: { image, workspace: {} } });
    await prisma.run.update({ where: { id: started.run.id }, data: { state: "running", hostId } });
    agent.journal.push({ seq: ++seq, at: new Date().toISOString(), type: "run.failed", runId: started.run.id, data: { error: "the container vanished" } } as AgentEvent);
    await ingestHostEvents({ prisma, connections: new OneAgent(agent), host: await prisma.host.findUniqueOrThrow({ where: { id: hostId } }) });
    const held = await prisma.run.findUniqueOrThrow({ where: { id: started.run.id } });
    assert.deepEqual([held.state, held.endedState, held.endedReason, held.resultsState], ["running", "failed", "the container vanished", "pending"]);
  });

  it("a host that no longer knows the run: it ends as it ended, partial, with what is stored", async () => {
    const agent = new FakeAgent();
    agent.files.set("diff.patch", { kind: "diff", data: Buffer.from("d") });
    agent.files.set("artifacts/a.bin", { kind: "artifact", data: randomBytes(2 * 1024 * 1024) });
    const runId = await endedRun(agent, { exitCode: 1 });
    const blobs = new MemoryBlobStore();
    await shipRunResults({ prisma, blobs, agent: port(agent), runId, budgetBytes: 1024 * 1024, chunkBytes: 1024 * 1024 });
    agent.gone = true;
    assert.equal((await shipRunResults({ prisma, blobs, agent: port(agent), runId })).finished, true);
    const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    assert.deepEqual([run.state, run.resultsState], ["failed", "partial"]);
    assert.match(run.stateReason ?? "", /^exit code 1; its host no longer has this run/);
    assert.deepEqual(
      (await getRunResults({ prisma, ctx: admin, runId })).files.map((file) => [file.name, file.stored]),
      [
        ["artifacts/a.bin", false],
        ["diff.patch", true],
      ],
    );
  });

  it("destroying a run whose results are shipping ships them first; when that fails, the run is cancelled and names what it lost", async () => {
    const blobs = new MemoryBlobStore();
    const agent = new FakeAgent();
    const data = randomBytes(6 * 1024 * 1024);
    agent.files.set("artifacts/a.bin", { kind: "artifact", data });
    const shipped = await endedRun(agent);
    await destroyRun({ prisma, ctx: admin, connections: new OneAgent(agent), runId: shipped, blobs });
    let run = await prisma.run.findUniqueOrThrow({ where: { id: shipped } });
    assert.deepEqual([run.state, run.resultsState], ["succeeded", "complete"], "shipped before the host removed it, so it ended as it ended");
    assert.ok(blobs.storedOnce(`runs/${shipped}/results/artifacts/a.bin`, data.length));

    const cut = new FakeAgent();
    cut.files.set("artifacts/a.bin", { kind: "artifact", data });
    const lost = await endedRun(cut);
    cut.cutAfterReads = 0;
    await destroyRun({ prisma, ctx: admin, connections: new OneAgent(cut), runId: lost, blobs });
    run = await prisma.run.findUniqueOrThrow({ where: { id: lost } });
    assert.deepEqual([run.state, run.stateReason, run.resultsState], ["cancelled", "destroyed", "partial"]);
    assert.deepEqual((await getRunResults({ prisma, ctx: admin, runId: lost })).missing, [{ name: "artifacts/a.bin", reason: "the run was destroyed before it was stored" }]);
  });

  it("a host lost while shipping: past the grace the run ends as it ended with what is stored, partial, naming the lost host", async () => {
    const agent = new FakeAgent();
    agent.files.set("diff.patch", { kind: "diff", data: Buffer.from("diff") });
    agent.files.set("artifacts/big.bin", { kind: "artifact", data: randomBytes(4 * 1024 * 1024) });
    const team = await createScratchTeam(prisma, { role: "member" });
    const host = await prisma.host.create({
      data: { teamId: team.team.id, name: "doomed", transport: "local", address: "/z", capacityRuns: 4, status: "online", hasRunsc: true, hasWorkspaces: true },
    });
    const { run } = await createRun({ prisma, ctx: team.ctx, spec: { image, workspace: {}, artifacts: ["*.bin"] } });
    const running = await createRun({ prisma, ctx: team.ctx, spec: { image, workspace: {} } });
    await prisma.run.updateMany({ where: { id: { in: [run.id, running.run.id] } }, data: { state: "running", hostId: host.id } });
    agent.journal = [{ seq: 1, at: new Date().toISOString(), type: "container.exited", runId: run.id, data: { exitCode: 0 } } as AgentEvent];
    await ingestHostEvents({ prisma, connections: new OneAgent(agent), host });
    const blobs = new MemoryBlobStore();
    // diff.patch whole (the first file), then the cut.
    assert.equal((await shipRunResults({ prisma, blobs, agent: port(agent), runId: run.id, budgetBytes: 1024 * 1024, chunkBytes: 1024 * 1024 })).finished, false);
    await prisma.host.update({ where: { id: host.id }, data: { status: "offline", lastSeenAt: new Date(Date.now() - 10 * 60_000) } });
    await tick({ prisma, connections: new SilentHost(), blobs, lostAfterMs: 60_000 });
    const ended = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(ended.state, "succeeded", "it had exited 0");
    assert.equal(ended.resultsState, "partial");
    assert.match(ended.stateReason ?? "", /exit code 0; its host doomed was lost before all its results were stored/);
    const view = await getRunResults({ prisma, ctx: team.ctx, runId: run.id });
    assert.deepEqual(view.missing, [{ name: "artifacts/big.bin", reason: "its host doomed was lost before all its results were stored" }]);
    assert.deepEqual(
      view.files.map((file) => [file.name, file.stored]),
      [
        ["artifacts/big.bin", false],
        ["diff.patch", true],
      ],
    );
    const lost = await prisma.run.findUniqueOrThrow({ where: { id: running.run.id } });
    assert.equal(lost.state, "lost");
    assert.equal(lost.resultsState, "partial");
    assert.match(JSON.stringify(lost.resultsMissing), /its host doomed was lost before the run ended/);
  });
});
