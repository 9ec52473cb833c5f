import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, startSshd, type RunningSshd } from "@bailey/agent-client/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import {
  AppError,
  completeHostEnrollment,
  createHostEnrollment,
  createRun,
  drainHost,
  hostInstallCommand,
  HostConnections,
  listHosts,
  placeQueuedRuns,
  removeHost,
  resumeHost,
  verifyAuditChain,
  type TeamContext,
} from "../src";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const agentMain = path.join(root, "apps/agent/src/main.ts");
const code = (expected: string) => (error: unknown) => error instanceof AppError && error.code === expected;

describe("host enrollment, drain and removal against a real agent behind real sshd", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let agent: ChildProcess;
  let sshd: RunningSshd;
  let connections: HostConnections;
  let admin: TeamContext;
  let member: TeamContext;
  let outsider: TeamContext;
  const report = (token: string, extra: Record<string, unknown> = {}) => ({ token, address: sshd.host, sshPort: sshd.port, sshUser: sshd.user, hostKeyFingerprint: sshd.hostKeyFingerprint, agentHostId: "enrolled-agent", ...extra });

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    dir = await mkdtemp(path.join(tmpdir(), "bailey-enroll-"));
    await chmod(dir, 0o755);
    const socketPath = path.join(dir, "agent.sock");
    agent = spawn(process.execPath, ["--import", "tsx", agentMain, "serve"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, BAILEY_AGENT_SOCKET: socketPath, BAILEY_AGENT_STATE_DIR: path.join(dir, "state"), BAILEY_HOST_ID: "enrolled-agent", BAILEY_RUNTIME: "docker" },
    });
    for (let i = 0; i < 200 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const wrapper = path.join(dir, "bailey-agent");
    await writeFile(wrapper, `#!/bin/sh\nexport BAILEY_AGENT_SOCKET=${socketPath}\ncd ${root}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`, { mode: 0o755 });
    const key = await generateKeyPair();
    sshd = await startSshd({ authorizedKeys: [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`] });
    connections = new HostConnections({ privateKey: key.privateKey });
    const team = await prisma.team.create({ data: { slug: "enroll", name: "Enroll" } });
    const other = await prisma.team.create({ data: { slug: "enroll-other", name: "Other" } });
    const [adminUser, memberUser, outsiderUser] = await Promise.all(["admin", "member", "outsider"].map((name) => prisma.user.create({ data: { email: `${name}@enroll.test` } })));
    admin = { teamId: team.id, role: "admin", actor: { type: "user", userId: adminUser!.id } };
    member = { teamId: team.id, role: "member", actor: { type: "user", userId: memberUser!.id } };
    outsider = { teamId: other.id, role: "owner", actor: { type: "user", userId: outsiderUser!.id } };
  });
  after(async () => {
    connections?.close();
    await sshd?.stop();
    agent?.kill();
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("only an admin creates an enrollment; bad input names its field", async () => {
    await assert.rejects(createHostEnrollment({ prisma, ctx: member, input: { name: "w" } }), code("FORBIDDEN"));
    await assert.rejects(createHostEnrollment({ prisma, ctx: admin, input: { name: "../etc", labels: { Bad: "x" }, expiresInMinutes: 1 } }), (error: AppError) => {
      const fields = (error.details?.fields as { field: string }[]).map((field) => field.field).sort();
      assert.deepEqual(fields, ["expiresInMinutes", "labels.Bad", "name"]);
      return error.code === "BAD_REQUEST";
    });
    assert.equal(await prisma.hostEnrollment.count(), 0, "a refused request stores nothing");
  });

  it("the installer's report brings the host online once; the token is then spent", async () => {
    const { enrollment, token } = await createHostEnrollment({ prisma, ctx: admin, input: { name: "enrolled-1", labels: { pool: "a" }, capacityRuns: 3 } });
    assert.match(token, /^blye_[A-Za-z0-9_-]{43}$/);
    assert.equal((await prisma.hostEnrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).tokenHash.includes(token), false, "only the hash is stored");
    const command = hostInstallCommand({ publicUrl: "https://bailey.example.com/", token, agentSha256: "a".repeat(64), controlPlanePublicKey: "ssh-ed25519 AAAAkey some comment", hostName: "enrolled-1" });
    assert.equal(command, `curl -fsSL https://bailey.example.com/install.sh | sudo bash -s -- --control-plane https://bailey.example.com --enroll-token ${token} --sha256 ${"a".repeat(64)} --authorized-key 'ssh-ed25519 AAAAkey bailey-control-plane' --host-id enrolled-1`);

    // Two installers racing with the one token: exactly one host.
    const results = await Promise.allSettled([completeHostEnrollment({ prisma, connections, input: report(token) }), completeHostEnrollment({ prisma, connections, input: report(token) })]);
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    assert.equal(fulfilled.length, 1, JSON.stringify(results.map((result) => (result.status === "rejected" ? String(result.reason) : "ok"))));
    const host = (fulfilled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof completeHostEnrollment>>>).value;
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.equal(host.runtime, "docker");
    const stored = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.deepEqual({ labels: stored.labels, capacity: stored.capacityRuns, fingerprint: stored.hostKeyFingerprint, port: stored.sshPort }, { labels: { pool: "a" }, capacity: 3, fingerprint: sshd.hostKeyFingerprint, port: sshd.port });
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(token) }), (error: AppError) => error.code === "UNAUTHORIZED" && /already used or expired/.test(error.message));
    assert.equal(await prisma.host.count({ where: { name: "enrolled-1" } }), 1);
  });

  it("refuses an expired token, a malformed report, and a name taken meanwhile", async () => {
    const expired = await createHostEnrollment({ prisma, ctx: admin, input: { name: "late" } });
    await prisma.hostEnrollment.update({ where: { id: expired.enrollment.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(expired.token) }), code("UNAUTHORIZED"));
    const fresh = await createHostEnrollment({ prisma, ctx: admin, input: { name: "fresh" } });
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(fresh.token, { address: "127.0.0.1; rm -rf /", hostKeyFingerprint: "MD5:aa" }) }), (error: AppError) => {
      assert.deepEqual((error.details?.fields as { field: string }[]).map((field) => field.field).sort(), ["address", "hostKeyFingerprint"]);
      return error.code === "BAD_REQUEST";
    });
    await assert.rejects(createHostEnrollment({ prisma, ctx: admin, input: { name: "enrolled-1" } }), code("CONFLICT"));
    assert.equal(await prisma.host.count({ where: { name: { in: ["late", "fresh"] } } }), 0);
  });

  it("a drained host takes no new runs until resumed; removal waits for its runs and frees the name", async () => {
    const [host] = await listHosts({ prisma, ctx: admin });
    assert.equal(host?.name, "enrolled-1");
    await assert.rejects(drainHost({ prisma, ctx: member, hostId: host.id }), code("FORBIDDEN"));
    await assert.rejects(drainHost({ prisma, ctx: outsider, hostId: host.id }), code("NOT_FOUND"));
    assert.equal((await drainHost({ prisma, ctx: admin, hostId: host.id })).status, "draining");

    const { run } = await createRun({ prisma, ctx: member, spec: { image: "bailey-test/busybox:latest", command: ["true"], placement: { labels: { pool: "a" } } } });
    assert.equal(await placeQueuedRuns({ prisma }), 0, "nothing is placed on a draining host");
    assert.equal((await resumeHost({ prisma, ctx: admin, connections, hostId: host.id })).status, "online");
    assert.equal(await placeQueuedRuns({ prisma }), 1);
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).hostId, host.id);

    await assert.rejects(removeHost({ prisma, ctx: admin, connections, hostId: host.id }), (error: AppError) => error.code === "CONFLICT" && /still has 1 active run; drain it/.test(error.message));
    await prisma.run.update({ where: { id: run.id }, data: { state: "succeeded" } });
    const removed = await removeHost({ prisma, ctx: admin, connections, hostId: host.id });
    assert.equal(removed.status, "removed");
    assert.deepEqual(await listHosts({ prisma, ctx: admin }), [], "removed hosts are not listed");
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).hostId, host.id, "the run keeps its history");
    const again = await createHostEnrollment({ prisma, ctx: admin, input: { name: "enrolled-1" } });
    assert.equal((await completeHostEnrollment({ prisma, connections, input: report(again.token) })).status, "online", "the name is free again");

    const actions = (await prisma.auditEvent.findMany({ where: { teamId: admin.teamId }, orderBy: { seq: "asc" } })).map((event) => event.action);
    for (const action of ["host.enrollment_created", "host.enrolled", "host.drained", "host.resumed", "host.removed"]) assert.ok(actions.includes(action), `${action} is audited (${actions.join(", ")})`);
    assert.equal((await verifyAuditChain({ prisma, teamId: admin.teamId })).valid, true);
  });
});
