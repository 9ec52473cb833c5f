import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentHost, type GitServer, gitIn, startAgentHost, startGitServer } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { addHost, createRun, DirectoryBlobStore, getRunResults, HostConnections, openRunResult, shipHostResults, type TeamContext, tick } from "../src";

const mib = 1024 * 1024;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function stored(blobs: DirectoryBlobStore, ctx: TeamContext, prisma: PrismaClient, runId: string, name: string): Promise<Buffer> {
  const opened = await openRunResult({ prisma, blobs, ctx, runId, name });
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  assert.equal(sha256(bytes), opened.sha256, `${name}: the stored bytes are the ones the host hashed`);
  return bytes;
}

describe("a workspace run's results from a real agent over SSH (Docker, gVisor, git daemon, real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let worker: AgentHost;
  let git: GitServer;
  let connections: HostConnections;
  let blobs: DirectoryBlobStore;
  let ctx: TeamContext;
  let baseCommit = "";
  const suffix = randomBytes(4).toString("hex");

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-results-agent-"));
    blobs = new DirectoryBlobStore(path.join(dir, "blobs"));
    git = await startGitServer();
    baseCommit = (await git.createRepository("project")).commits.at(-1)!;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    worker = await startAgentHost({ hostId: `results-${suffix}`, runtime: "docker" });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx } = await createScratchTeam(prisma, { role: "admin" }));
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await git?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("the diff and bundle arrive and the run succeeds only after them; an SSH cut mid-artifact resumes and the 40 MiB artifact is stored once with its SHA-256", async () => {
    const host = await addHost({ prisma, ctx, connections, input: { name: "results-worker", ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.equal(host.hasWorkspaces, true, "the agent's hello says it has workspaces");
    const command = [
      "set -e",
      `echo "as $(id -u) in $(pwd)"`,
      `echo "changed-${suffix}" >> src/app.txt`,
      "mkdir -p out",
      "head -c 41943040 /dev/urandom > out/big.bin",
      `git -c user.name=Bailey -c user.email=run@bailey.invalid commit -q -am "change ${suffix}"`,
    ].join("; ");
    const { run } = await createRun({
      prisma,
      ctx,
      spec: { image: "bailey-test/git:latest", command: ["/bin/sh", "-c", command], workspace: { git: git.url("project"), ref: "main" }, artifacts: ["out/*.bin"] },
    });

    // The scheduler without a blob store: the run starts, exits, and then waits for its results.
    let held = null;
    for (let round = 0; round < 600 && !held; round += 1) {
      await tick({ prisma, connections });
      const row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      assert.ok(!["succeeded", "failed", "cancelled", "lost"].includes(row.state), `the run ended before its results were stored: ${row.state} ${row.stateReason}`);
      if (row.resultsState === "pending") held = row;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(held, `the run never exited\n${worker.agent.output().slice(-3000)}`);
    assert.deepEqual([held.state, held.stateReason, held.endedState, held.exitCode], ["running", "collecting results", "succeeded", 0]);
    assert.equal(held.baseCommit, baseCommit, "workspace.ready's commit");

    // Shipping in 8 MiB shares; the SSH sessions are cut after the first, the next share resumes.
    // The agent collects them after the exit it journaled: until then run.results says pending and nothing ships.
    let first = await shipHostResults({ prisma, blobs, agent: connections.get(host), hostId: host.id, budgetBytes: 8 * mib });
    for (let wait = 0; wait < 240 && first.bytes === 0; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      first = await shipHostResults({ prisma, blobs, agent: connections.get(host), hostId: host.id, budgetBytes: 8 * mib });
    }
    assert.ok(first.bytes >= 8 * mib, `${first.bytes} bytes in the first share`);
    assert.ok(worker.cutSshSessions() > 0, "an SSH session was cut");
    const afterCut = await prisma.runResult.findMany({ where: { runId: run.id } });
    const storedSoFar = afterCut.reduce((sum, file) => sum + file.storedBytes, 0n);
    const total = afterCut.reduce((sum, file) => sum + file.sizeBytes, 0n);
    assert.ok(storedSoFar > 0n && storedSoFar < total, `part of the results is stored when the session is cut (${storedSoFar} of ${total})`);
    let shares = 1;
    let cutErrors = 0;
    for (; shares < 40; shares += 1) {
      try {
        const share = await shipHostResults({ prisma, blobs, agent: connections.get(host), hostId: host.id, budgetBytes: 8 * mib });
        if (share.finished.includes(run.id)) break;
        assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "running", "still collecting");
      } catch (error) {
        // The request in flight when the session died; the connection redials on the next one.
        cutErrors += 1;
        assert.ok(cutErrors < 5, `shipping keeps failing: ${(error as Error).message}`);
      }
    }
    assert.ok(shares >= 5, `a 40 MiB artifact in 8 MiB shares takes several calls (${shares})`);

    const ended = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(ended.state, "succeeded", ended.stateReason ?? "");
    assert.equal(ended.stateReason, "exit code 0");
    assert.equal(ended.resultsState, "complete", JSON.stringify(ended.resultsMissing));
    const results = await getRunResults({ prisma, ctx, runId: run.id });
    assert.deepEqual(
      results.files.map((file) => [file.name, file.kind, file.stored]),
      [
        ["artifacts/out/big.bin", "artifact", true],
        ["commits.bundle", "bundle", true],
        ["diff.patch", "diff", true],
      ],
    );
    assert.equal(results.baseCommit, baseCommit);
    assert.match(results.headCommit ?? "", /^[0-9a-f]{40}$/);
    assert.notEqual(results.headCommit, baseCommit);
    const artifactRow = results.files.find((file) => file.name === "artifacts/out/big.bin")!;
    assert.equal(artifactRow.sizeBytes, 40 * mib);
    const artifact = await stored(blobs, ctx, prisma, run.id, "artifacts/out/big.bin");
    assert.equal(artifact.length, 40 * mib, "stored once: exactly its size");

    // A fresh clone at the starting commit: the diff applies and reproduces the change; the bundle's commit fetches.
    const diff = await stored(blobs, ctx, prisma, run.id, "diff.patch");
    const bundle = await stored(blobs, ctx, prisma, run.id, "commits.bundle");
    const scratch = path.join(dir, "clone");
    await gitIn(dir, ["clone", "--quiet", git.url("project"), scratch]);
    await writeFile(path.join(dir, "run.patch"), diff);
    await gitIn(scratch, ["apply", "--binary", path.join(dir, "run.patch")]);
    assert.match(await readFile(path.join(scratch, "src/app.txt"), "utf8"), new RegExp(`changed-${suffix}\\n$`));
    await writeFile(path.join(dir, "commits.bundle"), bundle);
    await gitIn(scratch, ["fetch", "--quiet", path.join(dir, "commits.bundle"), results.headCommit!]);
    assert.match(await gitIn(scratch, ["show", `${results.headCommit}:src/app.txt`]), new RegExp(`changed-${suffix}`));
  });
});
