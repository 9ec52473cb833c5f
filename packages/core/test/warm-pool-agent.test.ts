import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { addHost, createRun, createWarmPool, DirectoryBlobStore, deleteWarmPool, finalRunStates, HostConnections, listWarmPools, readRunLogs, type TeamContext, tick } from "../src";

const image = "bailey-test/busybox:latest";

// The control plane's half of warm pools against a real agent behind sshd, Docker with gVisor
// and Postgres: the tick pushes the pool, the agent fills it, a matching run starts in one of
// its containers (Run.warmPoolId), its output is the run's, and the pool refills.
describe("warm pool end to end through the scheduler (real agent, Docker + gVisor, Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let ctx: TeamContext;
  let dir = "";
  let blobs: DirectoryBlobStore;
  let hostId = "";

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-warm-pool-"));
    blobs = new DirectoryBlobStore(path.join(dir, "blobs"));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId: `warm-pool-${process.pid}` });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx } = await createScratchTeam(prisma, { slug: "warm-pool", name: "Warm pool", role: "admin" }));
    const host = await addHost({ prisma, ctx, connections, input: { name: `warm-pool-${process.pid}`, ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    hostId = host.id;
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function tickUntil<T>(what: string, check: () => Promise<T | undefined>, withinMs = 120_000): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      await tick({ prisma, connections, blobs });
      const value = await check();
      if (value !== undefined) return value;
      assert.ok(Date.now() < deadline, `${what} not within ${withinMs} ms\n${worker.agent.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("a pool of 2 under gVisor fills, a matching run claims a container and prints its output, and the pool refills", { timeout: 300_000 }, async () => {
    const pool = await createWarmPool({ prisma, ctx, hostId, image, size: 2 });
    const full = () => tickUntil("the pool full", async () => (await listWarmPools({ prisma, ctx })).find((entry) => entry.id === pool.id && entry.status?.idle === 2));
    await full();

    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["sh", "-c", "echo warm hello from $BAILEY_RUN_ID"] } });
    const ended = await tickUntil("the run's end", async () => {
      const row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      return finalRunStates.includes(row.state) ? row : undefined;
    });
    assert.equal(ended.state, "succeeded", `${ended.state}: ${ended.stateReason} ${ended.lastError ?? ""}`);
    assert.equal(ended.warmPoolId, pool.id, "the run claimed a container of the pool");
    assert.equal(ended.exitCode, 0);
    const logs = await readRunLogs({ prisma, ctx, connections, runId: run.id });
    assert.match(logs.text, new RegExp(`warm hello from ${run.id}`));

    // A run the pool cannot serve (other resources) starts cold, as before pools.
    const { run: coldRun } = await createRun({ prisma, ctx, spec: { image, command: ["true"], sandbox: "gvisor", resources: { cpus: 0.5 } } });
    const coldEnded = await tickUntil("the cold run's end", async () => {
      const row = await prisma.run.findUniqueOrThrow({ where: { id: coldRun.id } });
      return finalRunStates.includes(row.state) ? row : undefined;
    });
    assert.equal(coldEnded.state, "succeeded", `${coldEnded.state}: ${coldEnded.stateReason}`);
    assert.equal(coldEnded.warmPoolId, null);

    const refilled = await full();
    assert.ok(refilled.status!.claimedTotal >= 1, "the agent counts the claim");

    // Removing the pool drains it: the agent reports no pools once the tick pushed the empty set.
    await deleteWarmPool({ prisma, ctx, poolId: pool.id });
    await tickUntil("the pool drained", async () => {
      const { poolStatus } = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
      return Array.isArray(poolStatus) && poolStatus.length === 0 ? true : undefined;
    });
  });
});
