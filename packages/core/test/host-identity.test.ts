import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentHost, docker, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import {
  type AppError,
  addHost,
  completeHostEnrollment,
  createHostEnrollment,
  createRun,
  HostConnections,
  ingestHostEvents,
  reconcileHost,
  removeHost,
  stopRun,
  type TeamContext,
  tick,
  verifyAuditChain,
} from "../src";

/** A fresh SSH session's hello can time out on a loaded machine (the agent starts per session); that alone is retried. */
async function patiently<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 4 || !/agent\.hello got no answer/.test((error as Error).message)) throw error;
    }
  }
}

const conflict = (pattern: RegExp) => (error: AppError) => error.code === "CONFLICT" && pattern.test(error.message);

describe("one machine is one host row: a real agent behind real sshd, registered twice", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let owner: TeamContext;
  let rival: TeamContext;
  let agentId: string;
  let firstHostId: string;
  let runId: string;
  let refusedToken: string;
  const containerOfRun = async () => (await docker.listContainers({ all: true, filters: { label: [`bailey.run-id=${runId}`] } }))[0];

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId: `identity-host-${process.pid}` });
    agentId = (await readFile(path.join(worker.agent.stateDir, "agent-id"), "utf8")).trim();
    connections = new HostConnections({ privateKey: worker.privateKey });
    owner = (await createScratchTeam(prisma, { slug: "identity-owner", name: "Owner", email: "admin@owner.test", role: "admin" })).ctx;
    rival = (await createScratchTeam(prisma, { slug: "identity-rival", name: "Rival", email: "admin@rival.test", role: "admin" })).ctx;
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma.$disconnect();
    await db.drop();
  });

  it("the first row records the agent's identity and runs a container", async () => {
    const host = await addHost({ prisma, ctx: owner, connections, input: { name: "machine-a", ...worker.hostFields } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.match(agentId, /^agt_[0-9a-f]{32}$/);
    assert.equal(host.agentId, agentId, "recorded on first contact");
    firstHostId = host.id;
    ({
      run: { id: runId },
    } = await createRun({ prisma, ctx: owner, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "300"] } }));
    for (let i = 0; i < 40 && (await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state !== "running"; i++) await tick({ prisma, connections });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state, "running");
    assert.equal((await containerOfRun())?.State, "running");
  });

  it("adding the machine again, in the same team or another, is refused at once and audited; nothing is created", async () => {
    await assert.rejects(
      addHost({ prisma, ctx: owner, connections, input: { name: "machine-a-again", ...worker.hostFields } }).then((host) => assert.fail(`not refused: ${host.status} ${host.statusReason}`)),
      conflict(new RegExp(`agent \\(${agentId}\\) is already registered as host machine-a in this team`)),
    );
    await assert.rejects(addHost({ prisma, ctx: rival, connections, input: { name: "machine-b", ...worker.hostFields } }), (error: AppError) => {
      assert.match(error.message, /already registered to another team; one machine can be one host only/);
      assert.doesNotMatch(error.message, /machine-a|Owner/, "the other team's host is not named");
      return error.code === "CONFLICT";
    });
    ({ token: refusedToken } = await createHostEnrollment({ prisma, ctx: rival, input: { name: "machine-b-enrolled" } }));
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: { token: refusedToken, ...worker.hostFields } }), conflict(/already registered to another team/));
    assert.equal(await prisma.host.count({ where: { status: { not: "removed" } } }), 1, "no second row (one the probe could not refuse in time is withdrawn)");
    assert.equal((await prisma.hostEnrollment.findFirstOrThrow({ where: { teamId: rival.teamId } })).usedAt, null, "the token is not spent on a refusal");
    assert.equal(await prisma.auditEvent.count({ where: { teamId: owner.teamId, action: "host.identity_refused" } }), 1);
    assert.equal(await prisma.auditEvent.count({ where: { teamId: rival.teamId, action: "host.identity_refused" } }), 2);
  });

  it("a row made while the identity was unknown is refused on its first hello; the first row's run is untouched", async () => {
    // As if it had been added while the agent did not answer: a row with no identity yet.
    const second = await prisma.host.create({ data: { teamId: rival.teamId, name: "machine-b", transport: "ssh", ...worker.hostFields, status: "online", hasRunsc: true, lastSeenAt: new Date() } });
    const statusOf = async () => (await prisma.host.findUniqueOrThrow({ where: { id: second.id } })).status;
    // A tick whose hello times out on a loaded machine leaves the row as it was; the next one decides.
    for (let i = 0; i < 5 && (await statusOf()) !== "key_mismatch"; i++) await tick({ prisma, connections });
    const refused = await prisma.host.findUniqueOrThrow({ where: { id: second.id } });
    assert.equal(refused.status, "key_mismatch");
    assert.match(refused.statusReason ?? "", /already registered to another team/);
    assert.equal(refused.agentId, null);
    assert.deepEqual({ cursor: refused.eventCursor, reconciled: refused.lastReconciledAt }, { cursor: 0n, reconciled: null }, "nothing ingested or reconciled for it");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: rival.teamId, action: "host.identity_refused", hostId: second.id } });
    assert.equal((audit.data as { presented: string }).presented, agentId);
    await tick({ prisma, connections });
    assert.equal(await prisma.auditEvent.count({ where: { action: "host.identity_refused", hostId: second.id } }), 1, "audited once");

    // Past the gate (as an agent without an identity would be), reconcile and ingestion still spare the first row's run.
    const removed = await patiently(() => reconcileHost({ prisma, connections, host: second }));
    assert.deepEqual(removed, []);
    assert.equal((await containerOfRun())?.State, "running", "the first row's container still runs");
    const kept = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: rival.teamId, action: "host.reconciled", hostId: second.id } });
    assert.deepEqual(kept.data, { removed: [], keptForOtherHosts: 1 }, "only a count of the other row's runs");
    await patiently(() => ingestHostEvents({ prisma, connections, host: second }));
    assert.equal(await prisma.auditEvent.count({ where: { teamId: rival.teamId, runId } }), 0, "none of its events in the other team's audit");
    assert.equal(await prisma.hostEvent.count({ where: { hostId: second.id, runId } }), 0);
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state, "running");
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: firstHostId } })).status, "online");
    for (const teamId of [owner.teamId, rival.teamId]) assert.equal((await verifyAuditChain({ prisma, teamId })).valid, true);
  });

  it("once the first row is removed, the machine enrolls in the other team with the token refused before", async () => {
    await stopRun({ prisma, ctx: owner, connections, runId, graceSeconds: 1 });
    for (let i = 0; i < 40 && (await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state !== "cancelled"; i++) {
      await tick({ prisma, connections });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).state, "cancelled");
    const removedHost = await removeHost({ prisma, ctx: owner, connections, hostId: firstHostId });
    assert.equal(removedHost.agentId, null, "removal frees the identity");
    const refusedRow = await prisma.host.findFirstOrThrow({ where: { teamId: rival.teamId, name: "machine-b" } });
    await removeHost({ prisma, ctx: rival, connections, hostId: refusedRow.id });

    const enrolled = await completeHostEnrollment({ prisma, connections, input: { token: refusedToken, ...worker.hostFields } });
    assert.equal(enrolled.status, "online", enrolled.statusReason ?? "");
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: enrolled.id } })).agentId, agentId);
    const report = await tick({ prisma, connections });
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: enrolled.id } })).status, "online", JSON.stringify(report));
  });
});
