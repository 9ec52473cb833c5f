import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { maxResultChunkBytes, RpcError, rpcErrorCodes } from "@bailey/protocol";
import { runLogKey } from "../src/blobs/blob-store";
import { DirectoryBlobStore } from "../src/blobs/directory-blob-store";
import { type LogsAgent, shipHostLogs, shipRunLogs } from "../src/logs/ship-run-logs";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** An agent whose run log grows as the test says; `failAfter` reads answer, then the connection "drops". */
class FakeAgent {
  log = Buffer.alloc(0);
  complete = false;
  known = true;
  reads = 0;
  failAfter = Number.POSITIVE_INFINITY;
  /** Runs between a read's answer and its return (another shipper moving first). */
  beforeAnswer: (() => Promise<void>) | null = null;

  readonly agent: LogsAgent = {
    request: (async (method: string, params: { runId: string; offset: number; length: number }) => {
      assert.equal(method, "run.logs.read");
      if (!this.known) throw new RpcError(rpcErrorCodes.runNotFound, `Run ${params.runId} is not on this host.`);
      if (this.reads >= this.failAfter) throw new Error("the SSH connection dropped");
      this.reads += 1;
      const data = this.log.subarray(params.offset, params.offset + params.length);
      const answer = { data: data.toString("base64"), sizeBytes: this.log.length, complete: this.complete };
      await this.beforeAnswer?.();
      return answer;
    }) as LogsAgent["request"],
  };
}

async function stored(blobs: DirectoryBlobStore, prisma: PrismaClient, runId: string): Promise<{ bytes: Buffer; complete: boolean }> {
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
  const parts: Buffer[] = [];
  for await (const chunk of blobs.read(runLogKey(runId), Number(run.logBytesStored))) parts.push(chunk as Buffer);
  return { bytes: Buffer.concat(parts), complete: run.logsCompleteAt !== null };
}

describe("shipping run logs to the blob store (real Postgres, a fake agent)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let blobDir: string;
  let blobs: DirectoryBlobStore;
  let teamId: string;
  let hostId: string;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 6 });
    blobDir = await mkdtemp(path.join(tmpdir(), "bailey-log-ship-"));
    blobs = new DirectoryBlobStore(blobDir);
    teamId = (await prisma.team.create({ data: { slug: "log-ship", name: "Log ship" } })).id;
    hostId = (await prisma.host.create({ data: { teamId, name: "worker", address: "127.0.0.1" } })).id;
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  const newRun = async (state: "running" | "succeeded" = "running", finishedAt: Date | null = null) => (await prisma.run.create({ data: { teamId, hostId, state, spec: {}, finishedAt } })).id;

  it("ships a growing log in chunks while the run runs, resumes after a dropped connection, and completes once the agent says so", async () => {
    const runId = await newRun();
    const fake = new FakeAgent();
    fake.log = randomBytes(5 * 1024 * 1024 + 123);
    // Two reads of 1 MiB, then the connection drops.
    fake.failAfter = 2;
    const first = await shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 1024 * 1024 });
    assert.deepEqual(first, { bytes: 2 * 1024 * 1024, complete: false, busy: false }, "what was shipped before the drop stays");
    assert.equal((await stored(blobs, prisma, runId)).bytes.length, 2 * 1024 * 1024);

    fake.failAfter = Number.POSITIVE_INFINITY;
    const second = await shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 1024 * 1024, budgetBytes: 2 * 1024 * 1024 });
    assert.equal(second.bytes, 2 * 1024 * 1024, "bounded by the budget: the rest next time");

    // The run goes on printing, then ends.
    fake.log = Buffer.concat([fake.log, randomBytes(777)]);
    fake.complete = true;
    const third = await shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 1024 * 1024 });
    assert.equal(third.complete, true);
    const result = await stored(blobs, prisma, runId);
    assert.equal(result.complete, true);
    assert.equal(sha256(result.bytes), sha256(fake.log), "the stored log is the agent's, byte for byte");

    const readsBefore = fake.reads;
    assert.deepEqual(await shipRunLogs({ prisma, blobs, agent: fake.agent, runId }), { bytes: 0, complete: true, busy: false });
    assert.equal(fake.reads, readsBefore, "a complete log is not read again");
  });

  it("an empty log completes too (a run that printed nothing)", async () => {
    const runId = await newRun();
    const fake = new FakeAgent();
    fake.complete = true;
    assert.deepEqual(await shipRunLogs({ prisma, blobs, agent: fake.agent, runId }), { bytes: 0, complete: true, busy: false });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).logsCompleteAt !== null, true);
  });

  it("two shippers at once (two control planes): one ships, the other skips the run, and nothing is stored twice", async () => {
    const runId = await newRun();
    const fake = new FakeAgent();
    fake.log = randomBytes(3 * 1024 * 1024);
    fake.complete = true;
    // Slow answers, so the two overlap.
    fake.beforeAnswer = () => new Promise((resolve) => setTimeout(resolve, 50));
    const [one, two] = await Promise.all([
      shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 512 * 1024 }),
      shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 512 * 1024 }),
    ]);
    assert.deepEqual([one.busy, two.busy].sort(), [false, true], "exactly one of them held the run");
    assert.equal(one.bytes + two.bytes, fake.log.length, "every byte shipped once");
    const result = await stored(blobs, prisma, runId);
    assert.equal(sha256(result.bytes), sha256(fake.log));
    assert.equal(fake.reads, 6, "six chunks of 512 KiB, the last one saying the log is complete: no chunk read twice");
  });

  it("the compare-and-set loses cleanly when the stored count moved under a shipper", async () => {
    const runId = await newRun();
    const fake = new FakeAgent();
    fake.log = Buffer.from("0123456789");
    fake.complete = true;
    // Between its read and its compare-and-set, the count moves (a shipper not taking the lock, e.g. an older control plane).
    fake.beforeAnswer = async () => {
      fake.beforeAnswer = null;
      await prisma.$executeRaw`UPDATE "Run" SET "logBytesStored" = 4 WHERE id = ${runId}`;
    };
    const lost = await shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 4 });
    assert.deepEqual(lost, { bytes: 0, complete: false, busy: true });
    assert.equal(Number((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).logBytesStored), 4, "the count the other shipper set stands");
    await prisma.$executeRaw`UPDATE "Run" SET "logBytesStored" = 0 WHERE id = ${runId}`;
    await shipRunLogs({ prisma, blobs, agent: fake.agent, runId, chunkBytes: 4 });
    assert.equal((await stored(blobs, prisma, runId)).bytes.toString(), "0123456789");
  });

  it("a run its agent no longer knows stops being shipped and keeps what was stored", async () => {
    const runId = await newRun("succeeded", new Date());
    const fake = new FakeAgent();
    fake.log = Buffer.from("kept\n");
    await shipRunLogs({ prisma, blobs, agent: fake.agent, runId });
    fake.known = false;
    assert.deepEqual(await shipRunLogs({ prisma, blobs, agent: fake.agent, runId }), { bytes: 0, complete: true, busy: false });
    const result = await stored(blobs, prisma, runId);
    assert.deepEqual(result, { bytes: Buffer.from("kept\n"), complete: true });
  });

  it("a live run its agent does not know yet (dispatch claims it before run.create) is asked again, not given up", async () => {
    const runId = await newRun("running");
    const fake = new FakeAgent();
    fake.known = false;
    assert.deepEqual(await shipRunLogs({ prisma, blobs, agent: fake.agent, runId }), { bytes: 0, complete: false, busy: false });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).logsCompleteAt, null);
    fake.known = true;
    fake.log = Buffer.from("now it runs\n");
    fake.complete = true;
    assert.deepEqual(await shipRunLogs({ prisma, blobs, agent: fake.agent, runId }), { bytes: 12, complete: true, busy: false });
  });

  it("shipHostLogs takes the host's live runs and those ended within the hour, not older ones", async () => {
    const live = await newRun("running");
    const recent = await newRun("succeeded", new Date(Date.now() - 10 * 60_000));
    const old = await newRun("succeeded", new Date(Date.now() - 2 * 60 * 60_000));
    const asked = new Set<string>();
    const fake = new FakeAgent();
    fake.log = Buffer.from("x");
    fake.complete = true;
    const agent: LogsAgent = {
      request: ((method: string, params: { runId: string; offset: number; length: number }) => {
        asked.add(params.runId);
        return fake.agent.request(method as "run.logs.read", params);
      }) as LogsAgent["request"],
    };
    const report = await shipHostLogs({ prisma, blobs, agent, hostId });
    assert.ok(asked.has(live) && asked.has(recent), "live and recently ended runs are shipped");
    assert.ok(!asked.has(old), "a run that ended two hours ago is given up");
    assert.ok(report.completed.includes(live) && report.completed.includes(recent));
  });
  it("from an agent of protocol version 2 the log is streamed as binary chunks (no base64 reads), stored byte-identical in parts as large as a read's", async () => {
    const runId = await newRun("succeeded", new Date());
    const log = randomBytes(3 * 1024 * 1024 + 77);
    const opened: { offset: number; until?: number }[] = [];
    let cancelled = 0;
    const agent: LogsAgent = {
      request: (async (method: string) => assert.fail(`the shipper asked ${method} of a version-2 agent instead of streaming`)) as LogsAgent["request"],
      protocolVersion: async () => 2,
      openStream: (async (_method: string, params: { runId: string; offset: number; until?: number }) => {
        opened.push({ offset: params.offset, until: params.until });
        const end = Math.min(params.until ?? log.length, log.length);
        async function* chunks() {
          for (let at = params.offset; at < end; at += 64 * 1024) yield { fd: "stdout" as const, data: log.subarray(at, Math.min(at + 64 * 1024, end)) };
        }
        return {
          chunks: chunks(),
          [Symbol.asyncIterator]() {
            return this.chunks[Symbol.asyncIterator]();
          },
          result: Promise.resolve({ bytes: end - params.offset, sizeBytes: log.length, complete: true }),
          cancel: () => (cancelled += 1),
        };
      }) as unknown as LogsAgent["openStream"],
    };
    const parts: number[] = [];
    const putPart = blobs.putPart.bind(blobs);
    const counting = Object.assign(Object.create(blobs) as DirectoryBlobStore, {
      putPart: (key: string, offset: number, data: Buffer) => (parts.push(data.length), putPart(key, offset, data)),
    });
    const first = await shipRunLogs({ prisma, blobs: counting, agent, runId, budgetBytes: 2 * 1024 * 1024 });
    assert.deepEqual(first, { bytes: 2 * 1024 * 1024, complete: false, busy: false });
    const second = await shipRunLogs({ prisma, blobs: counting, agent, runId, budgetBytes: 2 * 1024 * 1024 });
    assert.deepEqual(second, { bytes: log.length - 2 * 1024 * 1024, complete: true, busy: false });
    assert.deepEqual(opened, [
      { offset: 0, until: 2 * 1024 * 1024 },
      { offset: 2 * 1024 * 1024, until: 4 * 1024 * 1024 },
    ]);
    assert.equal(cancelled, 2, "each stream is let go once shipped");
    // As large as a v1 read's (maxResultChunkBytes), not one per 64 KiB chunk.
    assert.ok(parts.every((size) => size <= maxResultChunkBytes) && parts.length <= 3, `parts of up to a read's size, not one per chunk: ${parts.join(", ")}`);
    const back = await stored(blobs, prisma, runId);
    assert.equal(back.complete, true);
    assert.equal(sha256(back.bytes), sha256(log));
  });
});
