// Faults between the control plane and a host reached the production way: real OpenSSH with a
// forced `bailey-agent dial-stdio`, a real agent, real Docker. The SSH session is cut, and the
// agent is SIGKILLed mid-provisioning and mid-run; each run must end in the state that is
// true and leave nothing behind.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AgentHost, docker, ensureStandinImage, resourcesOf, standinImage, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type Host, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRun, HostConnections, type TeamContext, tick, verifyAuditChain } from "../../src";

const hostId = `faults-${process.pid}`;
const leaseMs = 3_000;

describe("faults between the control plane and its host (real sshd, agent and Docker)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let host: Host;
  let ctx: TeamContext;
  let connections: HostConnections;

  before(async () => {
    await ensureStandinImage();
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 8 });
    worker = await startAgentHost({ hostId, buildkitImage: standinImage, dindPrivileged: false, keyComment: "bailey-faults", allow: ["docker:dind", "sandbox:none"] });
    connections = new HostConnections({ privateKey: worker.privateKey });
    const scratch = await createScratchTeam(prisma, { role: "admin" });
    ctx = scratch.ctx;
    host = await prisma.host.create({
      data: {
        teamId: scratch.team.id,
        name: hostId,
        transport: "ssh",
        ...worker.hostFields,
        capacityRuns: 4,
        status: "online",
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        lastSeenAt: new Date(),
      },
    });
  });

  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const runState = async (runId: string) => prisma.run.findUniqueOrThrow({ where: { id: runId } });
  async function tickUntil(runId: string, done: (state: string) => boolean, rounds = 120) {
    for (let i = 0; i < rounds; i++) {
      await tick({ prisma, connections, dispatchLeaseMs: leaseMs }).catch(() => undefined);
      const run = await runState(runId);
      if (done(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return runState(runId);
  }
  async function eventsOf(runId: string) {
    return (await prisma.hostEvent.findMany({ where: { hostId: host.id, runId }, orderBy: { seq: "asc" } })).map((event) => event.type);
  }

  it("an SSH session cut mid-run and again mid-provisioning: the control plane reconnects and each run is created, started and finished once", { timeout: 180_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", "for i in $(seq 1 20); do echo line $i; sleep 0.1; done"] } });
    await tickUntil(run.id, (state) => state === "running");
    const killed = worker.cutSshSessions();
    assert.ok(killed >= 1, "there was an SSH session to cut");
    const cutAt = Date.now();
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    console.log(`[ssh-cut] ${killed} sshd session processes killed mid-run; the run was recorded ${finished.state} ${Date.now() - cutAt} ms later`);
    assert.equal(finished.state, "succeeded", finished.stateReason ?? "");
    assert.equal(finished.exitCode, 0);
    const firstEvents = await eventsOf(run.id);
    for (const type of ["run.created", "container.created", "container.started", "container.exited"])
      assert.equal(firstEvents.filter((t) => t === type).length, 1, `${type} once: ${firstEvents.join(", ")}`);

    // Now cut it while the agent is still provisioning a dind run (network, sidecar, main).
    await worker.agent.restart({ faultStepDelayMs: 700 });
    const dind = (await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", dependencies: ["docker:dind"], command: ["sh", "-c", "echo dind ok"] } })).run;
    const dispatching = tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    for (let i = 0; i < 100 && (await resourcesOf(dind.id)).networks.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await runState(dind.id)).state, "provisioning", "the cut comes while the dispatch waits for the agent");
    worker.cutSshSessions();
    await dispatching;
    const afterCut = await runState(dind.id);
    assert.equal(afterCut.state, "provisioning", `an unanswered dispatch neither fails nor forgets the run: ${afterCut.lastError}`);
    const done = await tickUntil(dind.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(done.state, "succeeded", done.stateReason ?? done.lastError ?? "");
    const events = await eventsOf(dind.id);
    assert.equal(events.filter((type) => type === "run.created").length, 1, events.join(", "));
    assert.equal(events.filter((type) => type === "container.started").length, 1, events.join(", "));
    assert.ok(await prisma.auditEvent.findFirst({ where: { runId: dind.id, action: "run.dispatch_resumed" } }), "the retry is audited");
    for (let i = 0; i < 40 && ((await resourcesOf(dind.id)).networks.length || (await resourcesOf(dind.id)).containers.length > 1); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(await resourcesOf(dind.id), { containers: [`bailey-${dind.id}`], networks: [] }, "the sidecar and network went with the run; only its kept container remains");
  });

  it("the agent SIGKILLed mid-provisioning: the run fails saying so, and the host keeps nothing of it", { timeout: 180_000 }, async () => {
    await worker.agent.restart({ faultStepDelayMs: 1500 });
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", dependencies: ["docker:dind"], command: ["sh", "-c", "echo never"] } });
    const dispatching = tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    for (let i = 0; i < 400 && (await resourcesOf(run.id)).containers.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const midway = await resourcesOf(run.id);
    assert.equal(midway.networks.length, 1, "the network existed when the agent died");
    await worker.agent.kill("SIGKILL");
    await dispatching;
    await worker.agent.restart();
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(finished.state, "failed");
    assert.match(finished.stateReason ?? "", /agent stopped while provisioning/);
    assert.deepEqual(await resourcesOf(run.id), { containers: [], networks: [] }, "network, sidecar and main container are gone");
    const events = await eventsOf(run.id);
    assert.ok(events.includes("run.failed") && !events.includes("container.started"), events.join(", "));
  });

  it("the agent SIGKILLed mid-run and back within the grace period: the run is watched again and ends with its real exit code", { timeout: 180_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", "sleep 3; echo finished; exit 7"] } });
    await tickUntil(run.id, (state) => state === "running");
    await worker.agent.kill("SIGKILL");
    // Ticks while nobody answers on the host: the host is not yet offline, nothing moves.
    for (let i = 0; i < 3; i++) await tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    assert.equal((await runState(run.id)).state, "running");
    await worker.agent.restart();
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(finished.state, "failed", finished.stateReason ?? "");
    assert.equal(finished.exitCode, 7, "the exit code the container really had");
    assert.equal((await docker.getContainer(`bailey-${run.id}`).inspect()).State.ExitCode, 7);
    assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
  });
});
