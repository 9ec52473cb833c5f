import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, startSshd, type RunningSshd } from "@bailey/agent-client/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { addHost, AppError, connectHost, HostConnections, tick, verifyAuditChain, type TeamContext } from "../src";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const agentMain = path.join(root, "apps/agent/src/main.ts");

describe("hosts reached over real SSH", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let agent: ChildProcess;
  let sshd: RunningSshd;
  let impostor: RunningSshd;
  let connections: HostConnections;
  let ctx: TeamContext;
  const dialLog = () => path.join(dir, "dials.log");
  const dials = () => (existsSync(dialLog()) ? readFileSync(dialLog(), "utf8").trim().split("\n").filter(Boolean).length : 0);

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    dir = await mkdtemp(path.join(tmpdir(), "bailey-hosts-"));
    await chmod(dir, 0o755);
    const socketPath = path.join(dir, "agent.sock");
    agent = spawn(process.execPath, ["--import", "tsx", agentMain, "serve"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, BAILEY_AGENT_SOCKET: socketPath, BAILEY_AGENT_STATE_DIR: path.join(dir, "state"), BAILEY_HOST_ID: "ssh-host", BAILEY_RUNTIME: "docker" },
    });
    for (let i = 0; i < 200 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const wrapper = path.join(dir, "bailey-agent");
    await writeFile(wrapper, `#!/bin/sh\necho dial >> ${dialLog()}\nexport BAILEY_AGENT_SOCKET=${socketPath}\ncd ${root}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`, { mode: 0o755 });
    const key = await generateKeyPair();
    const authorizedKeys = [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`];
    sshd = await startSshd({ authorizedKeys });
    impostor = await startSshd({ authorizedKeys });
    connections = new HostConnections({ privateKey: key.privateKey });
    const user = await prisma.user.create({ data: { email: "admin@hosts.test" } });
    const team = await prisma.team.create({ data: { slug: "hosts", name: "Hosts" } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "admin" } });
    ctx = { teamId: team.id, role: "admin", actor: { type: "user", userId: user.id } };
  });
  after(async () => {
    connections?.close();
    await sshd?.stop();
    await impostor?.stop();
    agent?.kill();
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a host added by hand with its pinned key comes online with the agent's runtime and features", async () => {
    const host = await addHost({ prisma, ctx, connections, input: { name: "worker-1", address: sshd.host, sshPort: sshd.port, sshUser: sshd.user, hostKeyFingerprint: sshd.hostKeyFingerprint, labels: { gpu: "none" } } });
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.deepEqual({ runtime: host.runtimeType, runsc: host.hasRunsc, networks: host.hasNetworks, sidecars: host.hasSidecars }, { runtime: "docker", runsc: true, networks: true, sidecars: true });
    await assert.rejects(addHost({ prisma, ctx, connections, input: { name: "worker-1", address: "x", hostKeyFingerprint: sshd.hostKeyFingerprint } }), (error: AppError) => error.code === "CONFLICT");
    await assert.rejects(addHost({ prisma, ctx, connections, input: { name: "w2", address: "x", hostKeyFingerprint: "md5:aa" } }), /ssh-keygen -lf/);
    await assert.rejects(addHost({ prisma, ctx: { ...ctx, role: "member" }, connections, input: { name: "w3", address: "x", hostKeyFingerprint: sshd.hostKeyFingerprint } }), (error: AppError) => error.code === "FORBIDDEN");
  });

  it("a host presenting a different key is refused every time, marked key_mismatch, audited, and runs nothing", async () => {
    const before = dials();
    // The impostor answers at the address pinned to sshd's key.
    const host = await addHost({ prisma, ctx, connections, input: { name: "worker-2", address: impostor.host, sshPort: impostor.port, sshUser: impostor.user, hostKeyFingerprint: sshd.hostKeyFingerprint } });
    const refused = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(refused.status, "key_mismatch");
    assert.match(refused.statusReason ?? "", new RegExp(`its SSH host key is ${impostor.hostKeyFingerprint.replace(/[+/]/g, "\\$&")}`));
    await connectHost({ prisma, connections, hostId: host.id });
    await prisma.host.update({ where: { id: host.id }, data: { status: "online" } });
    await tick({ prisma, connections });
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).status, "key_mismatch", "refused again by the next attempt and the next tick");
    assert.equal(await prisma.auditEvent.count({ where: { action: "host.key_mismatch", hostId: host.id } }), 2, "audited once per time the host was found presenting it");
    assert.equal(dials(), before, "no command ran on the impostor");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: ctx.teamId, action: "host.key_mismatch", hostId: host.id }, orderBy: { seq: "asc" } });
    assert.deepEqual(audit.data, { expected: sshd.hostKeyFingerprint, presented: impostor.hostKeyFingerprint, address: `${impostor.host}:${impostor.port}` });
    assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
  });
});
