import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AgentHost, resourcesOf, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { addHost, createRun, finalRunStates, HostConnections, type TeamContext, tick, updateRunPolicy, verifyAuditChain } from "../src";

// A worker host as production has one (real sshd, real agent, real Docker) installed without
// BAILEY_ALLOW: it refuses escalations itself, whatever the team's policy lets through.
describe("the host's own allowlist (BAILEY_ALLOW), enforced by its agent", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let admin: TeamContext;
  let member: TeamContext;
  const hostId = `allowlist-${process.pid}`;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx: admin } = await createScratchTeam(prisma, { slug: "allowlist", name: "Allowlist", role: "admin" }));
    ({ ctx: member } = await addScratchMember(prisma, admin.teamId, { role: "member" }));
    const host = await addHost({ prisma, ctx: admin, connections, input: { name: hostId, ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  async function tickUntilFinal(runId: string, withinMs: number) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      await tick({ prisma, connections });
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (finalRunStates.includes(run.state) || Date.now() > deadline) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it("reports its allowlist in agent.hello: empty on a fresh install", async () => {
    const host = await prisma.host.findFirstOrThrow({ where: { teamId: admin.teamId } });
    const hello = await connections.get(host).hello();
    assert.deepEqual(hello.allowed, []);
    assert.match(worker.agent.output(), /allowing no docker:dind, docker:host or sandbox:none/);
  });

  it("a docker:dind run the team policy allows is never sent to the host: it waits with the host and its BAILEY_ALLOW named, then fails after the team's timeout", { timeout: 120_000 }, async () => {
    await updateRunPolicy({ prisma, ctx: admin, changes: { minRoleDockerDind: "member", unplaceableTimeoutSeconds: 30 } });
    const { run } = await createRun({ prisma, ctx: member, spec: { image: "bailey-test/busybox:latest", dependencies: ["docker:dind"], command: ["sh", "-c", "echo never"] } });
    await tick({ prisma, connections });
    const waiting = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(waiting.state, "queued");
    assert.equal(waiting.dispatchAttempts, 0, "placement knows the host would refuse it");
    assert.match(
      waiting.waitReason ?? "",
      new RegExp(
        `^no host matches a run with gVisor and docker:dind: ${hostId} does not allow docker:dind \\(its BAILEY_ALLOW is empty; put BAILEY_ALLOW=docker:dind in /etc/bailey/agent\\.env on it and restart the agent\\)`,
      ),
    );
    assert.ok(waiting.unplaceableSince);

    // Its clock runs out (moved back rather than waited for): failed with that reason, nothing made on the host.
    await prisma.run.update({ where: { id: run.id }, data: { unplaceableSince: new Date(Date.now() - 31_000) } });
    const finished = await tickUntilFinal(run.id, 60_000);
    assert.equal(finished.state, "failed", `${finished.state}: ${finished.stateReason}`);
    assert.equal(finished.stateReason, `no host can take this run: ${waiting.waitReason}`);
    assert.equal(finished.dispatchAttempts, 0);
    assert.deepEqual(await resourcesOf(run.id), { containers: [], networks: [] });
    assert.equal(await prisma.hostEvent.count({ where: { runId: run.id } }), 0);
    assert.equal((await verifyAuditChain({ prisma, teamId: admin.teamId })).valid, true);
  });

  it("an agent restarted with another BAILEY_ALLOW: its next hello updates the host row, and placement follows", { timeout: 120_000 }, async () => {
    const host = await prisma.host.findFirstOrThrow({ where: { teamId: admin.teamId } });
    assert.deepEqual(host.allowedCapabilities, [], "recorded from the first hello (addHost)");
    await worker.agent.restart({ allow: ["sandbox:none"] });
    try {
      for (let i = 0; i < 40 && !(await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).allowedCapabilities.length; i++) {
        await tick({ prisma, connections });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.deepEqual((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).allowedCapabilities, ["sandbox:none"]);
      await updateRunPolicy({ prisma, ctx: admin, changes: { minRoleSandboxNone: "member" } });
      const { run } = await createRun({ prisma, ctx: member, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["true"] } });
      const finished = await tickUntilFinal(run.id, 60_000);
      assert.equal(finished.state, "succeeded", `${finished.state}: ${finished.stateReason}`);
      assert.equal(finished.waitReason, null);
    } finally {
      await worker.agent.restart({ allow: [] });
    }
  });

  it("enforces the team's default timeout on a run whose spec sets none", { timeout: 180_000 }, async () => {
    await updateRunPolicy({ prisma, ctx: admin, changes: { defaultRunTimeoutSeconds: 3 } });
    const startedAt = Date.now();
    const { run } = await createRun({ prisma, ctx: member, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "600"] } });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).timeoutSeconds, 3);
    const finished = await tickUntilFinal(run.id, 120_000);
    const tookMs = Date.now() - startedAt;
    console.log(`[default-timeout] a sleep-600 run with the team's 3 s default ended ${finished.state} after ${tookMs} ms: ${finished.stateReason}`);
    assert.equal(finished.state, "timed_out", `${finished.state}: ${finished.stateReason}`);
    assert.equal(finished.stateReason, "timed out after 3 s");
    assert.ok(tookMs < 90_000, `stopped at its timeout, not after the 600 s sleep (${tookMs} ms)`);
  });
});
