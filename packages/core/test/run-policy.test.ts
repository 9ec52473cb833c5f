import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AppError, authenticateApiToken, createApiToken, createRun, createRunFromYaml, getRunPolicy, type TeamContext, updateRunPolicy, verifyAuditChain } from "../src";

describe("team run policy, default timeout and queue cap (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let owner: TeamContext;
  let admin: TeamContext;
  let member: TeamContext;
  let viewer: TeamContext;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx: owner } = await createScratchTeam(prisma, { slug: "policy", name: "Policy Crew", email: "owner@policy.test", role: "owner" }));
    ({ ctx: admin } = await addScratchMember(prisma, owner.teamId, { email: "admin@policy.test", role: "admin" }));
    ({ ctx: member } = await addScratchMember(prisma, owner.teamId, { email: "member@policy.test", role: "member" }));
    ({ ctx: viewer } = await addScratchMember(prisma, owner.teamId, { email: "viewer@policy.test", role: "viewer" }));
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const refusals = (teamId: string) => prisma.auditEvent.findMany({ where: { teamId, action: "run.refused" }, orderBy: { seq: "asc" } });

  it("refuses a member's docker:host run by default, naming the policy and the fix, audits it and creates nothing", async () => {
    const runsBefore = await prisma.run.count({ where: { teamId: owner.teamId } });
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image: "busybox", dependencies: ["docker:host"] } }), (error: AppError) => {
      assert.equal(error.code, "FORBIDDEN");
      assert.match(error.message, /^docker:host runs need the admin role in team Policy Crew \(team policy/);
      assert.match(error.message, /you are a member/);
      assert.match(error.message, /Team page or with PATCH \/api\/v1\/team\/policy/);
      assert.deepEqual(error.details, { policy: "team", capability: "docker:host", requiredRole: "admin" });
      return true;
    });
    assert.equal(await prisma.run.count({ where: { teamId: owner.teamId } }), runsBefore, "no run row was created");
    const [refused] = await refusals(owner.teamId);
    assert.ok(refused, "the refusal is in the audit log");
    assert.equal(refused.actorType, "user");
    assert.equal(refused.actorId, member.actor.userId);
    assert.deepEqual((refused.data as Record<string, unknown>).capability, "docker:host");
    assert.deepEqual((refused.data as Record<string, unknown>).requiredRole, "admin");
    assert.deepEqual((refused.data as Record<string, unknown>).role, "member");
  });

  it("refuses the YAML path and a member's API token alike (a token acts with its creator's role)", async () => {
    await assert.rejects(
      createRunFromYaml({ prisma, ctx: member, yaml: "image: busybox\nsandbox: none\n" }),
      (error: AppError) => error.code === "FORBIDDEN" && /^sandbox:none runs need the admin role/.test(error.message),
    );
    const { token } = await createApiToken({ prisma, ctx: member, name: "ci", scopes: ["runs:write"] });
    const auth = await authenticateApiToken({ prisma, token });
    assert.ok(auth);
    const tokenCtx: TeamContext = { teamId: auth.teamId, role: auth.role, actor: { type: "token", tokenId: auth.tokenId, userId: auth.userId } };
    await assert.rejects(
      createRun({ prisma, ctx: tokenCtx, spec: { image: "busybox", dependencies: ["docker:dind"] } }),
      (error: AppError) => error.code === "FORBIDDEN" && /^docker:dind runs need the admin role/.test(error.message),
    );
    const last = (await refusals(owner.teamId)).at(-1)!;
    assert.equal(last.actorType, "token");
    assert.equal(last.actorId, auth.tokenId);
    assert.equal((last.data as Record<string, unknown>).onBehalfOf, member.actor.userId);
    // Viewers never submit, whatever the policy.
    await assert.rejects(createRun({ prisma, ctx: viewer, spec: { image: "busybox" } }), (error: AppError) => error.code === "FORBIDDEN");
  });

  it("lets an admin through, and records what the run asked for", async () => {
    const { run } = await createRun({ prisma, ctx: admin, spec: { image: "busybox", dependencies: ["docker:host"], sandbox: "none" } });
    const created = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: owner.teamId, action: "run.created", targetId: run.id } });
    assert.deepEqual((created.data as Record<string, unknown>).capabilities, ["docker:host", "sandbox:none"]);
  });

  it("is read and changed by owners and admins only; a change is audited and lets the member through", async () => {
    await assert.rejects(getRunPolicy({ prisma, ctx: member }), (error: AppError) => error.code === "FORBIDDEN");
    await assert.rejects(updateRunPolicy({ prisma, ctx: member, changes: { minRoleDockerHost: "member" } }), (error: AppError) => error.code === "FORBIDDEN");
    await assert.rejects(updateRunPolicy({ prisma, ctx: admin, changes: { minRoleDockerHost: "owner" } }), (error: AppError) => error.code === "FORBIDDEN" && /Only an owner/.test(error.message));
    assert.deepEqual(await getRunPolicy({ prisma, ctx: admin }), {
      minRoleDockerHost: "admin",
      minRoleDockerDind: "admin",
      minRoleSandboxNone: "admin",
      defaultRunTimeoutSeconds: 14400,
      maxQueuedRuns: 500,
      unplaceableTimeoutSeconds: 900,
      defaultEgressPolicy: "open",
      blobRetentionDays: 30,
    });

    const changed = await updateRunPolicy({ prisma, ctx: admin, changes: { minRoleDockerHost: "member" } });
    assert.equal(changed.minRoleDockerHost, "member");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: owner.teamId, action: "team.policy_changed" }, orderBy: { seq: "desc" } });
    assert.equal(audit.actorId, admin.actor.userId);
    assert.deepEqual(audit.data, { changed: { minRoleDockerHost: { from: "admin", to: "member" } } });

    const { run, created } = await createRun({ prisma, ctx: member, spec: { image: "busybox", dependencies: ["docker:host"] } });
    assert.equal(created, true);
    assert.deepEqual(run.spec, {
      image: "busybox",
      pullPolicy: "if-not-present",
      dependencies: ["docker:host"],
      env: {},
      sandbox: "gvisor",
      placement: { labels: {} },
      resources: {},
      secrets: {},
      secretFiles: [],
      grants: [],
    });
    // Only the capability that was lowered: sandbox none still needs an admin.
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image: "busybox", dependencies: ["docker:host"], sandbox: "none" } }), (error: AppError) =>
      /^sandbox:none runs need the admin role/.test(error.message),
    );

    // An owner-only restriction is the owner's to lift.
    await updateRunPolicy({ prisma, ctx: owner, changes: { minRoleDockerDind: "owner" } });
    await assert.rejects(updateRunPolicy({ prisma, ctx: admin, changes: { minRoleDockerDind: "member" } }), (error: AppError) => error.code === "FORBIDDEN");
    await assert.rejects(createRun({ prisma, ctx: admin, spec: { image: "busybox", dependencies: ["docker:dind"] } }), (error: AppError) =>
      /^docker:dind runs need the owner role/.test(error.message),
    );
    await updateRunPolicy({ prisma, ctx: owner, changes: { minRoleDockerDind: "admin", minRoleDockerHost: "admin" } });
  });

  it("gives a run without a timeout the team's default, recorded on the run; a spec's own timeout wins", async () => {
    const plain = await createRun({ prisma, ctx: member, spec: { image: "busybox" } });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: plain.run.id } })).timeoutSeconds, 14400);
    const own = await createRun({ prisma, ctx: member, spec: { image: "busybox", resources: { timeoutSeconds: 60 } } });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: own.run.id } })).timeoutSeconds, 60);
    await updateRunPolicy({ prisma, ctx: admin, changes: { defaultRunTimeoutSeconds: 900 } });
    const later = await createRun({ prisma, ctx: member, spec: { image: "busybox" } });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: later.run.id } })).timeoutSeconds, 900);
  });

  it("caps the queue: of 12 concurrent submissions to a team with room for 3, exactly 3 are queued and the rest get 429 with the cap", async () => {
    const { ctx: capped } = await createScratchTeam(prisma, { slug: "capped", name: "Capped", role: "admin" });
    await updateRunPolicy({ prisma, ctx: capped, changes: { maxQueuedRuns: 3 } });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => createRun({ prisma, ctx: capped, spec: { image: "busybox", command: ["echo", String(i)] } })));
    const queued = results.filter((result) => result.status === "fulfilled");
    const refused = results.flatMap((result) => (result.status === "rejected" ? [result.reason as AppError] : []));
    assert.equal(queued.length, 3);
    assert.equal(refused.length, 9);
    for (const error of refused) {
      assert.equal(error.code, "TOO_MANY_REQUESTS");
      assert.match(error.message, /already has 3 queued runs, its cap of 3/);
    }
    assert.equal(await prisma.run.count({ where: { teamId: capped.teamId, state: "queued" } }), 3);
    // A retry of a run already made is answered with it, cap or not.
    const keyed = await prisma.run.findFirstOrThrow({ where: { teamId: capped.teamId } });
    await prisma.run.update({ where: { id: keyed.id }, data: { state: "failed" } });
    const first = await createRun({ prisma, ctx: capped, spec: { image: "busybox", command: ["retry"] }, idempotencyKey: "k-1" });
    const retry = await createRun({ prisma, ctx: capped, spec: { image: "busybox", command: ["retry"] }, idempotencyKey: "k-1" });
    assert.deepEqual([first.created, retry.created, retry.run.id], [true, false, first.run.id]);
    assert.equal((await verifyAuditChain({ prisma, teamId: capped.teamId })).valid, true);
    assert.equal((await verifyAuditChain({ prisma, teamId: owner.teamId })).valid, true);
  });
});
