import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient, type RunState } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { addHost, createRun, DirectoryBlobStore, finalRunStates, HostConnections, listRuns, stopRun, type TeamContext, tick, verifyAuditChain } from "../src";

// timed_out as a final state, end to end: a real agent behind a real sshd driving Docker with
// gVisor, the scheduler's tick ingesting its journal into a real Postgres.
describe("a run that hits its timeout ends timed_out (real agent, Docker + gVisor, Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let ctx: TeamContext;
  let dir = "";
  let blobs: DirectoryBlobStore;
  const hostId = `timed-out-${process.pid}`;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-timed-out-"));
    blobs = new DirectoryBlobStore(path.join(dir, "blobs"));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx } = await createScratchTeam(prisma, { slug: "timed-out", name: "Timed out", role: "admin" }));
    const host = await addHost({ prisma, ctx, connections, input: { name: hostId, ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function tickUntil(runId: string, done: (state: RunState, stateReason: string | null) => boolean, withinMs = 90_000) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      await tick({ prisma, connections, blobs });
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (done(run.state, run.stateReason)) return run;
      assert.ok(Date.now() < deadline, `run ${runId} is still ${run.state} (${run.stateReason}) after ${withinMs} ms\n${worker.agent.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const final = (state: RunState) => finalRunStates.includes(state);

  async function auditActions(runId: string) {
    const events = await prisma.auditEvent.findMany({ where: { runId }, orderBy: { id: "asc" }, select: { action: true } });
    return events.map((event) => event.action);
  }

  it("timeoutSeconds 2 with sleep 30: timed_out within seconds, the reason says so, the engine's exit code is kept, audited, and the list filter finds it", { timeout: 150_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "30"], resources: { timeoutSeconds: 2 } } });
    const started = await tickUntil(run.id, (state) => state === "running" || final(state));
    const startedAt = Date.now();
    const ended = await tickUntil(run.id, final);
    const tookMs = Date.now() - startedAt;
    console.log(
      `[timed-out] sleep 30 with a 2 s timeout: ${ended.state} ${tookMs} ms after running was seen (started ${started.startedAt?.toISOString()}), exit code ${ended.exitCode}: ${ended.stateReason}`,
    );
    assert.equal(ended.state, "timed_out", `${ended.state}: ${ended.stateReason}`);
    assert.equal(ended.stateReason, "timed out after 2 s");
    assert.equal(typeof ended.exitCode, "number", "the exit code the engine reported is kept");
    assert.notEqual(ended.exitCode, 0);
    assert.ok(ended.finishedAt, "a final state sets finishedAt");
    // Stopped at its timeout (plus the agent's 10 s stop grace at most), not after the 30 s sleep.
    assert.ok(tookMs < 25_000, `ended ${tookMs} ms after it was seen running`);

    const transitions = await prisma.runTransition.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });
    assert.deepEqual(
      transitions.slice(-2).map((transition) => [transition.fromState, transition.toState]),
      [
        ["provisioning", "running"],
        ["running", "timed_out"],
      ],
    );
    const actions = await auditActions(run.id);
    assert.ok(actions.includes("agent.run.timed_out"), actions.join(", "));
    assert.equal(actions.filter((action) => action === "run.timed_out").length, 1, actions.join(", "));
    assert.ok(!actions.includes("run.failed") && !actions.includes("run.succeeded"), actions.join(", "));
    assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);

    const listed = await listRuns({ prisma, ctx, state: "timed_out", limit: 50 });
    assert.deepEqual(
      listed.runs.map((row) => [row.id, row.state, row.timeoutSeconds]),
      [[run.id, "timed_out", 2]],
    );
    assert.equal((await listRuns({ prisma, ctx, state: "failed", limit: 50 })).runs.length, 0, "not listed as failed");
  });

  it("a run with results waits for them and then ends timed_out (endedState), not failed", { timeout: 150_000 }, async () => {
    const { run } = await createRun({
      prisma,
      ctx,
      spec: {
        image: "bailey-test/busybox:latest",
        command: ["sh", "-c", "mkdir -p out && echo partial > out/log.txt && sleep 30"],
        workspace: {},
        artifacts: ["out/*.txt"],
        resources: { timeoutSeconds: 2 },
      },
    });
    const ended = await tickUntil(run.id, final);
    assert.equal(ended.state, "timed_out", `${ended.state}: ${ended.stateReason}`);
    assert.equal(ended.endedState, "timed_out", "held for its results with the timeout as its ending");
    assert.match(ended.stateReason ?? "", /^timed out after 2 s/);
    assert.notEqual(ended.resultsState, "pending");
    const actions = await auditActions(run.id);
    assert.equal(actions.filter((action) => action === "run.timed_out").length, 1, actions.join(", "));
  });

  it("a run the user stopped before its timeout is cancelled", { timeout: 150_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "60"], resources: { timeoutSeconds: 20 } } });
    await tickUntil(run.id, (state) => state === "running" || final(state));
    await stopRun({ prisma, ctx, connections, runId: run.id, graceSeconds: 1 });
    const ended = await tickUntil(run.id, final);
    assert.equal(ended.state, "cancelled", `${ended.state}: ${ended.stateReason}`);
    assert.equal(await prisma.hostEvent.count({ where: { runId: run.id, type: "run.timed_out" } }), 0, "the agent's timeout never fired");
  });

  it("a stop asked for before the timeout stays cancelled even when the agent's timeout fires before the stop reaches it", { timeout: 150_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "30"], resources: { timeoutSeconds: 3 } } });
    await tickUntil(run.id, (state) => state === "running" || final(state));
    // What stopRun records first, before its run.stop reaches the agent: here it never does, and the timeout fires.
    await prisma.run.update({ where: { id: run.id }, data: { stopRequestedAt: new Date() } });
    const ended = await tickUntil(run.id, final);
    assert.equal(ended.state, "cancelled", `${ended.state}: ${ended.stateReason}`);
    assert.equal(await prisma.hostEvent.count({ where: { runId: run.id, type: "run.timed_out" } }), 1, "the agent's timeout did fire");
  });

  it("a stop asked for while the timed-out run is being stopped does not make it cancelled", { timeout: 150_000 }, async () => {
    // It ignores SIGTERM, so it lives on through the agent's stop grace after its timeout.
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "trap '' TERM; sleep 30 & wait"], resources: { timeoutSeconds: 2 } } });
    await tickUntil(run.id, (state, reason) => (state === "running" && reason === "timed out after 2 s") || final(state));
    await stopRun({ prisma, ctx, connections, runId: run.id, graceSeconds: 1 });
    const ended = await tickUntil(run.id, final);
    assert.equal(ended.state, "timed_out", `${ended.state}: ${ended.stateReason}`);
    assert.ok(ended.stopRequestedAt, "the stop was recorded");
  });

  it("an exit racing the deadline: the control plane's final state is the agent's (timed_out exactly when the agent timed it out)", { timeout: 200_000 }, async () => {
    const host = await prisma.host.findFirstOrThrow({ where: { teamId: ctx.teamId } });
    const runs = await Promise.all(
      [0, 1, 2].map(async () => (await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "2"], resources: { timeoutSeconds: 2 } } })).run),
    );
    const outcomes: string[] = [];
    for (const run of runs) {
      const ended = await tickUntil(run.id, final, 120_000);
      // The agent journals container.exited before it tears down and takes its own final state.
      let onAgent = await connections.get(host).request("run.inspect", { runId: run.id });
      for (let i = 0; i < 100 && (onAgent.state === "running" || onAgent.state === "stopping"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        onAgent = await connections.get(host).request("run.inspect", { runId: run.id });
      }
      outcomes.push(`${ended.state}/${onAgent.state}/${ended.exitCode}`);
      assert.equal(ended.state === "timed_out", onAgent.state === "timed_out", `control plane ${ended.state} (${ended.stateReason}), agent ${onAgent.state}`);
      if (ended.state !== "timed_out") assert.equal(ended.state, "succeeded", `${ended.state}: ${ended.stateReason}`);
    }
    console.log(`[timed-out] sleep 2 with a 2 s timeout (control plane/agent/exit code): ${outcomes.join(", ")}`);
  });
});
