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
import {
  addHost,
  type BlobStore,
  createRun,
  DirectoryBlobStore,
  getRunResults,
  HostConnections,
  openRunResult,
  type ResultsAgent,
  readRunLogs,
  runResultKey,
  shipHostResults,
  type TeamContext,
  tick,
} from "../src";

const mib = 1024 * 1024;
const artifactBytes = 200 * mib;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A DirectoryBlobStore that records every part written (key, offset, length, when), to tell a part stored once from one pulled again. */
class CountingBlobStore implements BlobStore {
  readonly kind = "directory" as const;
  private readonly store: DirectoryBlobStore;
  readonly writes: { key: string; offset: number; length: number; at: number }[] = [];

  constructor(root: string) {
    this.store = new DirectoryBlobStore(root);
  }

  async putPart(key: string, offset: number, data: Buffer): Promise<void> {
    await this.store.putPart(key, offset, data);
    this.writes.push({ key, offset, length: data.length, at: Date.now() });
  }

  read(key: string, sizeBytes: number, range?: { start: number; end: number }) {
    return this.store.read(key, sizeBytes, range);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.store.deletePrefix(prefix);
  }

  writesOf(key: string) {
    return this.writes.filter((write) => write.key === key);
  }
}

async function stored(blobs: BlobStore, ctx: TeamContext, prisma: PrismaClient, runId: string, name: string): Promise<Buffer> {
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
  let blobs: CountingBlobStore;
  let ctx: TeamContext;
  let baseCommit = "";
  const suffix = randomBytes(4).toString("hex");

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-results-agent-"));
    blobs = new CountingBlobStore(path.join(dir, "blobs"));
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

  it("the diff and bundle arrive and the run succeeds only after them; the SSH session cut mid-upload of a 200 MiB artifact resumes, and the artifact is stored once with its SHA-256", async (t) => {
    const testStarted = Date.now();
    const host = await addHost({ prisma, ctx, connections, input: { name: "results-worker", ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.equal(host.hasWorkspaces, true, "the agent's hello says it has workspaces");
    const command = [
      "set -e",
      `echo "as $(id -u) in $(pwd)"`,
      `echo "changed-${suffix}" >> src/app.txt`,
      // Build output ignored, as projects do: an untracked, unignored artifact would also be in diff.patch (a base85 binary patch ~1.3x its size).
      "echo out/ > .gitignore",
      "mkdir -p out",
      `echo "kernel $(uname -r)"`,
      `head -c ${artifactBytes} /dev/urandom > out/big.bin`,
      "sha256sum out/big.bin",
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
      assert.ok(!["succeeded", "failed", "cancelled", "lost", "timed_out"].includes(row.state), `the run ended before its results were stored: ${row.state} ${row.stateReason}`);
      if (row.resultsState === "pending") held = row;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(held, `the run never exited\n${worker.agent.output().slice(-3000)}`);
    assert.deepEqual([held.state, held.stateReason, held.endedState, held.exitCode], ["running", "collecting results", "succeeded", 0]);
    assert.equal(held.baseCommit, baseCommit, "workspace.ready's commit");

    // The cut: the first pull runs with no budget limit, and while its run.results.read at
    // cutFrom (or the next offset) is on the wire, every process serving the SSH session is
    // killed. That request fails; the next pulls redial and resume from the recorded offset.
    const heldAt = Date.now();
    const artifactName = "artifacts/out/big.bin";
    const artifactKey = runResultKey(run.id, artifactName);
    const cutFrom = 48 * mib;
    const realAgent = () => connections.get(host);
    let inFlightAtCut: number | undefined;
    let sshProcessesCut = 0;
    const cuttingAgent: ResultsAgent = {
      request: ((method: string, params: { name?: string; offset?: number }, options?: object) => {
        const pending = (realAgent().request as (...args: unknown[]) => Promise<unknown>)(method, params, options);
        if (method === "run.results.read" && params.name === artifactName && (params.offset ?? 0) >= cutFrom && inFlightAtCut === undefined) {
          inFlightAtCut = params.offset;
          setTimeout(() => {
            sshProcessesCut = worker.cutSshSessions();
          }, 20);
        }
        return pending;
      }) as ResultsAgent["request"],
    };
    let cutError: Error | undefined;
    for (let wait = 0; wait < 240 && !cutError; wait += 1) {
      try {
        // Until the agent has collected after the exit it journaled, run.results says pending and nothing ships.
        const share = await shipHostResults({ prisma, blobs, agent: cuttingAgent, hostId: host.id, budgetBytes: 2 * artifactBytes });
        assert.deepEqual(share, { bytes: 0, finished: [] }, "nothing ships before the cut");
        await new Promise((resolve) => setTimeout(resolve, 250));
      } catch (error) {
        cutError = error as Error;
      }
    }
    assert.ok(cutError, `the pull was never cut\n${worker.agent.output().slice(-3000)}`);
    assert.ok(sshProcessesCut > 0, `an SSH session was cut (the pull failed with: ${cutError.message})`);
    const atCut = await prisma.runResult.findUniqueOrThrow({ where: { runId_name: { runId: run.id, name: artifactName } } });
    assert.equal(atCut.sizeBytes, BigInt(artifactBytes));
    assert.ok(atCut.storedBytes > 0n && atCut.storedBytes < atCut.sizeBytes, `part of the artifact is stored when the session is cut (${atCut.storedBytes} of ${atCut.sizeBytes})`);
    assert.equal(Number(atCut.storedBytes), inFlightAtCut, "the part in flight at the cut was not stored: the stored offset is where it started");
    const partsBeforeCut = blobs.writesOf(artifactKey).length;

    const resumeStarted = Date.now();
    let shares = 0;
    let cutErrors = 0;
    for (let finished = false; !finished; shares += 1) {
      assert.ok(shares < 40, `the artifact is still not stored after ${shares} shares`);
      try {
        const share = await shipHostResults({ prisma, blobs, agent: realAgent(), hostId: host.id });
        finished = share.finished.includes(run.id);
        if (!finished) assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "running", "still collecting");
      } catch (error) {
        // The connection may not have noticed its session died; it redials on the next request.
        cutErrors += 1;
        assert.ok(cutErrors < 5, `shipping keeps failing after the cut: ${(error as Error).message}`);
      }
    }
    const resumeSeconds = (Date.now() - resumeStarted) / 1000;
    assert.ok(shares >= 2, `the rest of a 200 MiB artifact takes more than one 64 MiB share (${shares})`);

    // Each part offset written once: the pull resumed where the cut left it, and nothing before it was pulled again.
    const writes = blobs.writesOf(artifactKey);
    const afterCut = writes.slice(partsBeforeCut);
    assert.ok(afterCut.length > 0 && afterCut[0]!.offset === inFlightAtCut, `the resumed pull starts at the offset in flight at the cut (${afterCut[0]?.offset} vs ${inFlightAtCut})`);
    const timesWritten = new Map<number, number>();
    for (const write of writes) timesWritten.set(write.offset, (timesWritten.get(write.offset) ?? 0) + 1);
    const rewritten = [...timesWritten].filter(([offset, times]) => times > 1 && !(offset === inFlightAtCut && times === 2));
    assert.deepEqual(rewritten, [], "no part written twice, save the one in flight at the cut");
    let end = 0;
    for (const offset of [...timesWritten.keys()].sort((a, b) => a - b)) {
      assert.equal(offset, end, "the parts are contiguous");
      end = offset + writes.find((write) => write.offset === offset)!.length;
    }
    assert.equal(end, artifactBytes, "the parts cover the artifact exactly");

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
    assert.equal(artifactRow.sizeBytes, artifactBytes);
    const artifact = await stored(blobs, ctx, prisma, run.id, artifactName);
    assert.equal(artifact.length, artifactBytes, "stored once: exactly its size");
    const manifest = await realAgent().request("run.results", { runId: run.id });
    assert.equal(manifest.state, "ready");
    const manifestSha256 = manifest.files.find((file) => file.name === artifactName)?.sha256;
    assert.equal(sha256(artifact), manifestSha256, "the stored artifact's SHA-256 is the agent's manifest's");
    const log = await readRunLogs({ prisma, ctx, connections, runId: run.id });
    assert.match(log.text, /kernel 4\.4\.0/, `gVisor reports kernel 4.4.0: the run was sandboxed\n${log.text}`);
    const printed = /^([0-9a-f]{64}) {2}out\/big\.bin$/m.exec(log.text)?.[1];
    assert.equal(sha256(artifact), printed, `the stored artifact's SHA-256 is the one the run's sha256sum printed\n${log.text}`);

    const beforeCut = writes.slice(0, partsBeforeCut);
    // Between the first part's write and the last one's: the parts after the first, at the steady rate.
    const beforeCutMiB = beforeCut.slice(1).reduce((sum, write) => sum + write.length, 0) / mib;
    const beforeCutSeconds = (beforeCut.at(-1)!.at - beforeCut[0]!.at) / 1000;
    t.diagnostic(
      `run created to exited and held ${((heldAt - testStarted) / 1000).toFixed(1)} s; held to the first part stored ${((writes[0]!.at - heldAt) / 1000).toFixed(1)} s (the agent's collection); ` +
        `200 MiB artifact: cut at ${Number(atCut.storedBytes) / mib} MiB stored (${beforeCut.length} parts); ` +
        `before the cut ~${(beforeCutMiB / beforeCutSeconds).toFixed(1)} MiB/s (${beforeCutMiB} MiB in ${beforeCutSeconds.toFixed(1)} s); ` +
        `after it ${((artifactBytes - (inFlightAtCut ?? 0)) / mib / resumeSeconds).toFixed(1)} MiB/s over ${resumeSeconds.toFixed(1)} s in ${shares} shares (redial and the final SHA-256 check included); ` +
        `${cutErrors} failed share(s) after the cut`,
    );

    // A fresh clone at the starting commit: the diff applies and reproduces the change; the bundle's commit fetches.
    const diff = await stored(blobs, ctx, prisma, run.id, "diff.patch");
    assert.ok(diff.length < mib, `the ignored artifact is not in diff.patch (${diff.length} bytes)`);
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
