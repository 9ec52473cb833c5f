import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RunningSshd, startSshd } from "@bailey/agent-client/testing";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AppError, addHost, connectHost, HostConnections, type TeamContext, tick, verifyAuditChain } from "../src";

describe("hosts reached over real SSH", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let impostor: RunningSshd;
  let connections: HostConnections;
  let ctx: TeamContext;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId: `ssh-host-${process.pid}` });
    impostor = await startSshd({ authorizedKeys: [worker.authorizedKey] });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx } = await createScratchTeam(prisma, { slug: "hosts", name: "Hosts", email: "admin@hosts.test", role: "admin" }));
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await impostor?.stop();
    await prisma.$disconnect();
    await db.drop();
  });

  it("a host added by hand with its pinned key comes online with the agent's runtime and features", async () => {
    const host = await addHost({ prisma, ctx, connections, input: { name: "worker-1", ...worker.hostFields, labels: { gpu: "none" } } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.deepEqual({ runtime: host.runtimeType, runsc: host.hasRunsc, networks: host.hasNetworks, sidecars: host.hasSidecars }, { runtime: "docker", runsc: true, networks: true, sidecars: true });
    await assert.rejects(addHost({ prisma, ctx, connections, input: { name: "worker-1", address: "x", hostKeyFingerprint: worker.fingerprint } }), (error: AppError) => error.code === "CONFLICT");
    await assert.rejects(addHost({ prisma, ctx, connections, input: { name: "w2", address: "x", hostKeyFingerprint: "md5:aa" } }), /ssh-keygen -lf/);
    await assert.rejects(
      addHost({ prisma, ctx: { ...ctx, role: "member" }, connections, input: { name: "w3", address: "x", hostKeyFingerprint: worker.fingerprint } }),
      (error: AppError) => error.code === "FORBIDDEN",
    );
  });

  it("a host presenting a different key is refused every time, marked key_mismatch, audited, and runs nothing", async () => {
    const before = worker.dials();
    // The impostor answers at the address pinned to the worker's key.
    const host = await addHost({
      prisma,
      ctx,
      connections,
      input: { name: "worker-2", address: impostor.host, sshPort: impostor.port, sshUser: impostor.user, hostKeyFingerprint: worker.fingerprint },
    });
    const refused = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(refused.status, "key_mismatch");
    assert.match(refused.statusReason ?? "", new RegExp(`its SSH host key is ${impostor.hostKeyFingerprint.replace(/[+/]/g, "\\$&")}`));
    await connectHost({ prisma, connections, hostId: host.id });
    await prisma.host.update({ where: { id: host.id }, data: { status: "online" } });
    await tick({ prisma, connections });
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).status, "key_mismatch", "refused again by the next attempt and the next tick");
    assert.equal(await prisma.auditEvent.count({ where: { action: "host.key_mismatch", hostId: host.id } }), 2, "audited once per time the host was found presenting it");
    assert.equal(worker.dials(), before, "no command ran on the impostor");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: ctx.teamId, action: "host.key_mismatch", hostId: host.id }, orderBy: { seq: "asc" } });
    assert.deepEqual(audit.data, { expected: worker.fingerprint, presented: impostor.hostKeyFingerprint, address: `${impostor.host}:${impostor.port}` });
    assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
  });
});
