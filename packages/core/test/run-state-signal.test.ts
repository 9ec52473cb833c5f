import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRun, type TeamContext } from "../src";
import { announceRunStarted, announceRunStateChanged, onRunStarted, waitForRunState } from "../src/runs/run-state-signal";

describe("waiting for a run's state (a log follow waiting for its run to start)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let ctx: TeamContext;
  const started = (state: string) => !["queued", "scheduled", "provisioning"].includes(state);
  const queuedRun = async () => (await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["true"] } })).run.id;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx } = await createScratchTeam(prisma));
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("wakes at once when this process announces the change, long before its next read", async () => {
    const runId = await queuedRun();
    const waiting = waitForRunState({ prisma, runId, reached: started, timeoutMs: 120_000, pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const changedAt = performance.now();
    await prisma.run.update({ where: { id: runId }, data: { state: "running" } });
    announceRunStateChanged(runId);
    assert.equal(await waiting, true);
    assert.ok(performance.now() - changedAt < 5_000, "woken by the announcement, not by the 60 s read");
  });

  it("an announcement that arrives while the state is being read is not lost", async () => {
    const runId = await queuedRun();
    // The row is moved and announced while the waiter's first read may still be in flight.
    const waiting = waitForRunState({ prisma, runId, reached: started, timeoutMs: 120_000, pollMs: 60_000 });
    await prisma.run.update({ where: { id: runId }, data: { state: "running" } });
    announceRunStateChanged(runId);
    const changedAt = performance.now();
    assert.equal(await waiting, true);
    assert.ok(performance.now() - changedAt < 5_000);
  });

  it("sees a change nobody in this process announced at its next read (another replica, the agent's events)", async () => {
    const runId = await queuedRun();
    const waiting = waitForRunState({ prisma, runId, reached: started, timeoutMs: 120_000, pollMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await prisma.run.update({ where: { id: runId }, data: { state: "failed" } });
    assert.equal(await waiting, true);
  });

  it("gives up when the time is up, or at once when the caller leaves", async () => {
    const runId = await queuedRun();
    assert.equal(await waitForRunState({ prisma, runId, reached: started, timeoutMs: 300, pollMs: 50 }), false);
    const abort = new AbortController();
    const waiting = waitForRunState({ prisma, runId, reached: started, timeoutMs: 120_000, pollMs: 60_000, abort: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = performance.now();
    abort.abort();
    assert.equal(await waiting, false);
    assert.ok(performance.now() - abortedAt < 5_000);
    assert.equal(await waitForRunState({ prisma, runId: "no-such-run", reached: started, timeoutMs: 1_000 }), false);
  });

  it("a follower hears which host started the run once, and not after it stopped listening", () => {
    const heard: string[] = [];
    const stop = onRunStarted("run-a", (hostId) => heard.push(hostId));
    announceRunStarted("run-b", "host-x");
    announceRunStarted("run-a", "host-1");
    announceRunStarted("run-a", "host-2");
    assert.deepEqual(heard, ["host-1"], "only its run, only the first announcement");
    const late: string[] = [];
    const stopLate = onRunStarted("run-a", (hostId) => late.push(hostId));
    stopLate();
    announceRunStarted("run-a", "host-3");
    assert.deepEqual(late, []);
    stop();
  });
});
