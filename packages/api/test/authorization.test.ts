import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { TRPCError } from "@trpc/server";
import {
  authenticateApiToken,
  createApiToken,
  createSecretsKeyFile,
  createTeamGrant,
  createWarmPool,
  createTeamSecret,
  createWebhookEndpoint,
  HostConnections,
  saveRegistryCredential,
  sendTestWebhook,
  tokenScopes,
  type AuthenticatedToken,
} from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { appRouter, createCaller, type Context } from "../src";
import type { ProcedureMeta } from "../src/trpc";

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta };
}

/** Every procedure of the app router, read from the router itself so none can be missed. */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
  scope: procedure._def.meta?.scope,
}));

type Ids = {
  runId: string;
  hostId: string;
  tokenId: string;
  membershipId: string;
  registryCredentialId: string;
  secretId: string;
  grantId: string;
  webhookId: string;
  webhookDeliveryId: string;
  poolId: string;
};

const unknownInvite = `blyi_${"x".repeat(43)}`;
/** Used before the caller is in the team; the invite token in the input is the credential. */
const teamless = new Set(["invites.preview", "invites.accept", "invites.register", "hosts.enroll"]);
/** How each public procedure refuses a credential it does not know. */
const publicRefusal: Record<string, [TRPCError["code"], RegExp]> = {
  "invites.preview": ["NOT_FOUND", /invite link is unknown/],
  "invites.register": ["NOT_FOUND", /invite link is unknown/],
  "hosts.enroll": ["UNAUTHORIZED", /enrollment token/],
};
/** Anyone may do this to themselves (viewers too); tested on its own in packages/core. */
const selfService = new Set(["team.leave"]);

/**
 * An input for each procedure that names team A's resources. A procedure without one here
 * fails the test: adding a procedure means saying how it is checked.
 */
const sampleInputs: Record<string, (ids: Ids) => unknown> = {
  "me.get": () => undefined,
  "runs.list": () => ({ limit: 10 }),
  "runs.get": ({ runId }) => ({ id: runId }),
  "runs.create": () => ({ image: "bailey-test/busybox:latest", command: ["true"] }),
  "runs.createFromYaml": () => ({ yaml: 'image: bailey-test/busybox:latest\ncommand: ["true"]\n' }),
  "runs.stop": ({ runId }) => ({ id: runId }),
  "runs.destroy": ({ runId }) => ({ id: runId }),
  "runs.logs": ({ runId }) => ({ id: runId }),
  "hosts.list": () => undefined,
  "hosts.get": ({ hostId }) => ({ id: hostId }),
  "hosts.activity": ({ hostId }) => ({ id: hostId }),
  "hosts.enrollments": () => undefined,
  "hosts.add": () => ({ name: "unreachable", address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` }),
  "hosts.createEnrollment": () => ({ name: "enrolling" }),
  "hosts.enroll": () => ({ token: `blye_${"x".repeat(43)}`, address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"C".repeat(43)}` }),
  "hosts.drain": ({ hostId }) => ({ id: hostId }),
  "hosts.resume": ({ hostId }) => ({ id: hostId }),
  "hosts.remove": ({ hostId }) => ({ id: hostId }),
  "hosts.pullImage": ({ hostId }) => ({ image: "bailey-test/busybox:latest", hostId }),
  "hosts.imagePulls": ({ hostId }) => ({ hostId }),
  "tokens.list": () => undefined,
  "tokens.create": () => ({ name: "made-in-test", scopes: ["runs:read"] }),
  "tokens.revoke": ({ tokenId }) => ({ id: tokenId }),
  "team.members": () => undefined,
  "team.policy": () => undefined,
  "team.updatePolicy": () => ({ minRoleDockerHost: "member" }),
  "team.changeRole": ({ membershipId }) => ({ id: membershipId, role: "admin" }),
  "team.remove": ({ membershipId }) => ({ id: membershipId }),
  "team.leave": () => undefined,
  "team.invites": () => undefined,
  "team.createInvite": () => ({ role: "member" }),
  "team.revokeInvite": () => ({ id: "no-such-invite" }),
  "invites.preview": () => ({ token: unknownInvite }),
  "invites.accept": () => ({ token: unknownInvite }),
  "invites.register": () => ({ token: unknownInvite, email: "new@example.com", password: "long enough password" }),
  "audit.list": () => ({ limit: 50 }),
  "audit.verify": () => undefined,
  "audit.publicKey": () => undefined,
  "registries.list": () => undefined,
  "registries.save": () => ({ registry: "registry.example.test", username: "someone", password: "a password" }),
  "registries.remove": ({ registryCredentialId }) => ({ id: registryCredentialId }),
  "secrets.list": () => undefined,
  "secrets.create": () => ({ name: "MADE_IN_TEST", value: "a value" }),
  "secrets.update": ({ secretId }) => ({ id: secretId, value: "another value" }),
  "secrets.delete": ({ secretId }) => ({ id: secretId }),
  // GRANTABLE exists in both teams, so another team's member makes a grant of their own (and sees nothing of team A's).
  "grants.list": () => undefined,
  "grants.create": () => ({ name: "made-in-test", secretName: "GRANTABLE", hosts: ["api.made-in-test.example"], inject: { kind: "bearer" } }),
  "grants.update": ({ grantId }) => ({ id: grantId, hosts: ["api.changed.example"] }),
  "grants.delete": ({ grantId }) => ({ id: grantId }),
  "buildContexts.list": () => undefined,
  "runs.egress": ({ runId }) => ({ id: runId }),
  "runs.results": ({ runId }) => ({ id: runId }),
  "runs.artifacts": ({ runId }) => ({ id: runId }),
  "team.storage": () => undefined,
  "webhooks.list": () => undefined,
  "webhooks.get": ({ webhookId }) => ({ id: webhookId }),
  // Port 9 (discard): nothing is sent to it here, creating an endpoint sends nothing.
  "webhooks.create": () => ({ url: "http://127.0.0.1:9/made-in-test", events: ["run.failed"] }),
  "webhooks.update": ({ webhookId }) => ({ id: webhookId, enabled: false }),
  "webhooks.rotateSecret": ({ webhookId }) => ({ id: webhookId }),
  "webhooks.delete": ({ webhookId }) => ({ id: webhookId }),
  "webhooks.deliveries": ({ webhookId }) => ({ id: webhookId }),
  "webhooks.redeliver": ({ webhookDeliveryId }) => ({ id: webhookDeliveryId }),
  "webhooks.sendTest": ({ webhookId }) => ({ id: webhookId }),
  "pools.list": () => undefined,
  "pools.create": ({ hostId }) => ({ hostId, image: "bailey-test/busybox:latest", size: 1, sandbox: "none" }),
  "pools.update": ({ poolId }) => ({ id: poolId, size: 3 }),
  "pools.delete": ({ poolId }) => ({ id: poolId }),
  "overview.get": () => ({ hours: 24 }),
};

const stringify = (value: unknown) => JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? inner.toString() : inner)) ?? "";

const refusedWith = (code: TRPCError["code"], message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof TRPCError, `expected a TRPCError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return true;
};

describe("authorization of every tRPC procedure", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  const connections = new HostConnections({});
  const ids: Ids = { runId: "", hostId: "", tokenId: "", membershipId: "", registryCredentialId: "", secretId: "", grantId: "", webhookId: "", webhookDeliveryId: "", poolId: "" };
  const users = { admin: { id: "", email: "admin@a.test" }, viewer: { id: "", email: "viewer@a.test" }, outsider: { id: "", email: "owner@b.test" } };
  let teamA = "";
  let keyDir = "";
  const tokensMissing = new Map<string, AuthenticatedToken>();
  const call = (ctx: Partial<Context>, path: string) => {
    const caller = createCaller({ prisma, user: null, connections, installCommand: ({ token }) => `install ${token}`, ...ctx }) as unknown as Record<
      string,
      Record<string, (input: unknown) => Promise<unknown>>
    >;
    const [area, name] = path.split(".") as [string, string];
    return caller[area]![name]!(sampleInputs[path]!(ids));
  };

  before(async () => {
    // Saved credentials are sealed with a key of this test's own, never one in the working directory.
    keyDir = await mkdtemp(path.join(tmpdir(), "bailey-authz-secrets-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    for (const key of Object.keys(users) as (keyof typeof users)[]) users[key].id = (await prisma.user.create({ data: { email: users[key].email } })).id;
    teamA = (await prisma.team.create({ data: { slug: "team-a", name: "Team A" } })).id;
    const teamB = (await prisma.team.create({ data: { slug: "team-b", name: "Team B" } })).id;
    await prisma.membership.createMany({
      data: [
        { teamId: teamA, userId: users.admin.id, role: "admin" },
        { teamId: teamA, userId: users.viewer.id, role: "viewer" },
        { teamId: teamB, userId: users.outsider.id, role: "owner" },
      ],
    });
    ids.membershipId = (await prisma.membership.findUniqueOrThrow({ where: { teamId_userId: { teamId: teamA, userId: users.viewer.id } } })).id;
    ids.runId = (await prisma.run.create({ data: { teamId: teamA, name: "team-a-run", spec: {}, image: "secret-image-of-team-a" } })).id;
    ids.hostId = (await prisma.host.create({ data: { teamId: teamA, name: "team-a-host", address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"B".repeat(43)}`, status: "offline" } })).id;
    const adminCtx = { teamId: teamA, role: "admin" as const, actor: { type: "user" as const, userId: users.admin.id } };
    ids.tokenId = (await createApiToken({ prisma, ctx: adminCtx, name: "team-a-token", scopes: ["runs:read"] })).apiToken.id;
    ids.registryCredentialId = (
      await saveRegistryCredential({ prisma, ctx: adminCtx, registry: "private.team-a.test", username: "team-a-registry-user", password: "team-a-registry-password" })
    ).credential.id;
    ids.secretId = (await createTeamSecret({ prisma, ctx: adminCtx, name: "TEAM_A_SECRET", value: "team-a-secret-value", description: "team-a-secret-description" })).id;
    const outsiderCtx = { teamId: teamB, role: "owner" as const, actor: { type: "user" as const, userId: users.outsider.id } };
    for (const ctx of [adminCtx, outsiderCtx]) await createTeamSecret({ prisma, ctx, name: "GRANTABLE", value: "grantable-value" });
    ids.grantId = (
      await createTeamGrant({ prisma, ctx: adminCtx, name: "team-a-grant", secretName: "TEAM_A_SECRET", hosts: ["api.team-a-grant.example"], inject: { kind: "header", header: "X-Team-A" } })
    ).id;
    ids.webhookId = (await createWebhookEndpoint({ prisma, ctx: adminCtx, url: "http://127.0.0.1:9/team-a-webhook", events: ["*"], description: "team-a-webhook-description" })).endpoint.id;
    await sendTestWebhook({ prisma, ctx: adminCtx, endpointId: ids.webhookId });
    ids.webhookDeliveryId = (await prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: ids.webhookId } })).id;
    ids.poolId = (await createWarmPool({ prisma, ctx: adminCtx, hostId: ids.hostId, image: "secret-image-of-team-a", size: 2 })).id;
    await prisma.auditEvent.count();
    for (const scope of tokenScopes) {
      const { token } = await createApiToken({ prisma, ctx: adminCtx, name: `without-${scope}`, scopes: tokenScopes.filter((other) => other !== scope) });
      tokensMissing.set(scope, (await authenticateApiToken({ prisma, token }))!);
    }
    const { token } = await createApiToken({ prisma, ctx: adminCtx, name: "all-scopes", scopes: [...tokenScopes] });
    tokensMissing.set("session", (await authenticateApiToken({ prisma, token }))!);
  });
  after(async () => {
    connections.close();
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("knows every procedure, and every procedure declares a token scope that fits its kind", () => {
    assert.ok(procedures.length >= 20, `found ${procedures.length} procedures`);
    for (const procedure of procedures) {
      assert.ok(sampleInputs[procedure.path], `${procedure.path} has no sample input in this test: add one so its authorization is checked`);
      assert.ok(procedure.scope, `${procedure.path} declares no scope`);
      if (procedure.scope === "public") assert.ok(teamless.has(procedure.path), `${procedure.path} is public but not listed as teamless here`);
      else if (procedure.type === "mutation") assert.ok(procedure.scope === "session" || procedure.scope.endsWith(":write"), `${procedure.path} writes but declares ${procedure.scope}`);
      else assert.ok(procedure.scope === "session" || procedure.scope.endsWith(":read"), `${procedure.path} reads but declares ${procedure.scope}`);
    }
    assert.deepEqual(Object.keys(sampleInputs).sort(), procedures.map((procedure) => procedure.path).sort(), "no stale sample inputs");
  });

  for (const procedure of procedures) {
    if (procedure.scope === "public") {
      const [code, message] = publicRefusal[procedure.path] ?? ["NOT_FOUND", /./];
      it(`${procedure.path}: public, but an unknown credential gets ${code} and changes nothing`, async () => {
        const users = await prisma.user.count();
        const hosts = await prisma.host.count();
        await assert.rejects(call({ user: null }, procedure.path), refusedWith(code, message));
        assert.equal(await prisma.user.count(), users);
        assert.equal(await prisma.host.count(), hosts);
      });
      continue;
    }

    it(`${procedure.path}: no session → UNAUTHORIZED`, async () => {
      await assert.rejects(call({ user: null }, procedure.path), refusedWith("UNAUTHORIZED", /Sign in/));
    });

    it(`${procedure.path}: a token without ${procedure.scope} → FORBIDDEN`, async () => {
      const token = tokensMissing.get(procedure.scope!)!;
      await assert.rejects(call({ token }, procedure.path), refusedWith("FORBIDDEN", procedure.scope === "session" ? /sign in to the dashboard/ : new RegExp(`lacks the ${procedure.scope} scope`)));
    });

    if (procedure.type === "mutation" && !teamless.has(procedure.path) && !selfService.has(procedure.path)) {
      it(`${procedure.path}: a viewer's write → FORBIDDEN, nothing changed`, async () => {
        const before = await prisma.auditEvent.count({ where: { teamId: teamA } });
        await assert.rejects(call({ user: users.viewer }, procedure.path), refusedWith("FORBIDDEN", /role or higher; you are a viewer/));
        assert.equal(await prisma.auditEvent.count({ where: { teamId: teamA } }), before);
      });
    }

    if (selfService.has(procedure.path)) continue;
    it(`${procedure.path}: another team's member gets NOT_FOUND or nothing of team A`, async () => {
      const snapshot =
        stringify(await prisma.run.findUniqueOrThrow({ where: { id: ids.runId } })) +
        stringify(await prisma.host.findUniqueOrThrow({ where: { id: ids.hostId } })) +
        stringify(await prisma.registryCredential.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.secret.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.grant.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.webhookEndpoint.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.webhookDelivery.findMany({ where: { teamId: teamA }, include: { attemptsLog: true } })) +
        stringify(await prisma.warmPool.findMany({ where: { teamId: teamA } }));
      try {
        const result = stringify(await call({ user: users.outsider }, procedure.path));
        for (const secret of [
          teamA,
          ids.runId,
          ids.hostId,
          ids.tokenId,
          "team-a-run",
          "team-a-host",
          "team-a-token",
          "secret-image-of-team-a",
          "team-a-registry-user",
          "team-a-registry-password",
          "private.team-a.test",
          "TEAM_A_SECRET",
          "team-a-secret-value",
          "team-a-secret-description",
          "team-a-grant",
          "X-Team-A",
          ids.webhookId,
          ids.webhookDeliveryId,
          "team-a-webhook",
          ids.poolId,
        ]) {
          assert.ok(!result.includes(secret), `${procedure.path} showed another team ${secret}: ${result.slice(0, 300)}`);
        }
      } catch (error) {
        refusedWith("NOT_FOUND")(error);
      }
      const after =
        stringify(await prisma.run.findUniqueOrThrow({ where: { id: ids.runId } })) +
        stringify(await prisma.host.findUniqueOrThrow({ where: { id: ids.hostId } })) +
        stringify(await prisma.registryCredential.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.secret.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.grant.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.webhookEndpoint.findMany({ where: { teamId: teamA } })) +
        stringify(await prisma.webhookDelivery.findMany({ where: { teamId: teamA }, include: { attemptsLog: true } })) +
        stringify(await prisma.warmPool.findMany({ where: { teamId: teamA } }));
      assert.equal(after, snapshot, "team A's run, host, registry credential, secrets, grants and webhooks are untouched");
    });
  }
});
