import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
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

const code = (expected: string) => (error: unknown) => error instanceof AppError && error.code === expected;

describe("host enrollment, drain and removal against a real agent behind real sshd", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let admin: TeamContext;
  let member: TeamContext;
  let outsider: TeamContext;
  const report = (token: string, extra: Record<string, unknown> = {}) => ({ token, ...worker.hostFields, agentHostId: "enrolled-agent", ...extra });

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId: "enrolled-agent" });
    connections = new HostConnections({ privateKey: worker.privateKey });
    const enroll = await createScratchTeam(prisma, { slug: "enroll", name: "Enroll", email: "admin@enroll.test", role: "admin" });
    admin = enroll.ctx;
    member = (await addScratchMember(prisma, enroll.team.id, { email: "member@enroll.test", role: "member" })).ctx;
    outsider = (await createScratchTeam(prisma, { slug: "enroll-other", name: "Other", email: "outsider@enroll.test", role: "owner" })).ctx;
  });
  after(async () => {
    connections?.close();
    await worker?.stop();
    await prisma.$disconnect();
    await db.drop();
  });

  it("only an admin creates an enrollment; bad input names its field", async () => {
    await assert.rejects(createHostEnrollment({ prisma, ctx: member, input: { name: "w" } }), code("FORBIDDEN"));
    await assert.rejects(createHostEnrollment({ prisma, ctx: admin, input: { name: "../etc", labels: { Bad: "x" }, expiresInMinutes: 1 } }), (error: AppError) => {
      const fields = (error.details!.fields as { field: string }[]).map((field) => field.field).sort();
      assert.deepEqual(fields, ["expiresInMinutes", "labels.Bad", "name"]);
      return error.code === "BAD_REQUEST";
    });
    assert.equal(await prisma.hostEnrollment.count(), 0, "a refused request stores nothing");
  });

  it("the installer's report brings the host online once; the token is then spent", async () => {
    const { enrollment, token } = await createHostEnrollment({ prisma, ctx: admin, input: { name: "enrolled-1", labels: { pool: "a" }, capacityRuns: 3 } });
    assert.match(token, /^blye_[A-Za-z0-9_-]{43}$/);
    assert.equal((await prisma.hostEnrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).tokenHash.includes(token), false, "only the hash is stored");
    const command = hostInstallCommand({
      publicUrl: "https://bailey.example.com/",
      token,
      agentSha256: "a".repeat(64),
      controlPlanePublicKey: "ssh-ed25519 AAAAkey some comment",
      hostName: "enrolled-1",
    });
    assert.equal(
      command,
      `printf '%s\\n' ${token} | sudo bash -c 'f=$(mktemp) && trap "rm -f $f" EXIT && curl -fsSL "$0" -o "$f" && bash "$f" "$@"' https://bailey.example.com/install.sh --enroll-token-file - --control-plane https://bailey.example.com --sha256 ${"a".repeat(64)} --authorized-key 'ssh-ed25519 AAAAkey bailey-control-plane' --host-id enrolled-1`,
    );
    assert.equal(command.split("|")[1]?.includes(token), false, "the token reaches the installer on stdin, not in sudo's or bash's argv");

    // Two installers racing with the one token: exactly one host.
    const results = await Promise.allSettled([completeHostEnrollment({ prisma, connections, input: report(token) }), completeHostEnrollment({ prisma, connections, input: report(token) })]);
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    assert.equal(fulfilled.length, 1, JSON.stringify(results.map((result) => (result.status === "rejected" ? String(result.reason) : "ok"))));
    const host = (fulfilled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof completeHostEnrollment>>>).value;
    assert.equal(host.status, "online", host.statusReason ?? "");
    assert.equal(host.runtime, "docker");
    const stored = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.deepEqual(
      { labels: stored.labels, capacity: stored.capacityRuns, fingerprint: stored.hostKeyFingerprint, port: stored.sshPort },
      { labels: { pool: "a" }, capacity: 3, fingerprint: worker.fingerprint, port: worker.port },
    );
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(token) }), (error: AppError) => error.code === "UNAUTHORIZED" && /already used or expired/.test(error.message));
    assert.equal(await prisma.host.count({ where: { name: "enrolled-1" } }), 1);
  });

  it("refuses an expired token, a malformed report, and a name taken meanwhile", async () => {
    const expired = await createHostEnrollment({ prisma, ctx: admin, input: { name: "late" } });
    await prisma.hostEnrollment.update({ where: { id: expired.enrollment.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(expired.token) }), code("UNAUTHORIZED"));
    const fresh = await createHostEnrollment({ prisma, ctx: admin, input: { name: "fresh" } });
    await assert.rejects(completeHostEnrollment({ prisma, connections, input: report(fresh.token, { address: "127.0.0.1; rm -rf /", hostKeyFingerprint: "MD5:aa" }) }), (error: AppError) => {
      assert.deepEqual((error.details!.fields as { field: string }[]).map((field) => field.field).sort(), ["address", "hostKeyFingerprint"]);
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
    for (const action of ["host.enrollment_created", "host.enrolled", "host.drained", "host.resumed", "host.removed"])
      assert.ok(actions.includes(action), `${action} is audited (${actions.join(", ")})`);
    assert.equal((await verifyAuditChain({ prisma, teamId: admin.teamId })).valid, true);
  });
});
