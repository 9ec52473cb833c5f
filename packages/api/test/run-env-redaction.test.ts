import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, type AuthenticatedToken, createApiToken, HostConnections, looksLikeCredential } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createCaller, createRestHandler } from "../src";

const env = {
  GITHUB_TOKEN: "ghp_redact_me_1",
  AWS_SECRET_ACCESS_KEY: "aws-redact-me-2",
  DB_PASSWORD: "db-redact-me-3",
  MY_API_KEY: "api-redact-me-4",
  SSH_PRIVATE_KEY: "key-redact-me-5",
  GH_AUTH: "auth-redact-me-6",
  GOOGLE_APPLICATION_CREDENTIALS: "creds-redact-me-7",
  NODE_ENV: "production",
  GIT_AUTHOR_NAME: "Ada",
  LOG_LEVEL: "debug",
};
const hiddenNames = ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "MY_API_KEY", "SSH_PRIVATE_KEY", "GH_AUTH", "GOOGLE_APPLICATION_CREDENTIALS"];

describe("credential-looking env values are redacted for viewers and read-only tokens", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let runId = "";
  const users: Record<"member" | "viewer" | "admin", { id: string; email: string }> = { member: { id: "", email: "" }, viewer: { id: "", email: "" }, admin: { id: "", email: "" } };
  // Viewers cannot mint tokens, so a read-only token is a member's or admin's without runs:write.
  const tokens: Record<"readOnly" | "writer", AuthenticatedToken | null> = { readOnly: null, writer: null };
  const connections = new HostConnections({});

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: admin, user } = await createScratchTeam(prisma, { role: "admin" });
    const member = await addScratchMember(prisma, admin.teamId, { role: "member" });
    const viewer = await addScratchMember(prisma, admin.teamId, { role: "viewer" });
    users.admin = { id: user.id, email: user.email };
    users.member = { id: member.user.id, email: member.user.email };
    users.viewer = { id: viewer.user.id, email: viewer.user.email };
    const mint = async (ctx: typeof admin, scopes: ("runs:read" | "runs:write")[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.readOnly = await mint(admin, ["runs:read"]);
    tokens.writer = await mint(member.ctx, ["runs:read", "runs:write"]);
    const caller = createCaller({ prisma, user: users.member, connections });
    runId = (await caller.runs.create({ image: "bailey-test/busybox:latest", command: ["true"], env })).run.id;
  });
  after(async () => {
    connections.close();
    await prisma.$disconnect();
    await db.drop();
  });

  it("classifies names by their parts: AUTH is a credential, AUTHOR is not", () => {
    for (const name of [...hiddenNames, "NPM_TOKEN", "githubtoken", "PASSWD", "DB_PASS", "SESSION_COOKIE", "PASSPHRASE", "CLIENT_SECRET", "X_APIKEY"]) assert.ok(looksLikeCredential(name), name);
    for (const name of ["NODE_ENV", "GIT_AUTHOR_NAME", "PATH", "HOME", "LOG_LEVEL", "PORT", "PWD", "KEYBOARD"]) assert.ok(!looksLikeCredential(name), name);
  });

  const specOf = async (as: { user?: { id: string; email: string }; token?: AuthenticatedToken | null }) => {
    const caller = createCaller({ prisma, user: as.user ?? null, token: as.token ?? null, connections });
    const { run } = await caller.runs.get({ id: runId });
    return { env: (run.spec as { env: Record<string, string> }).env, redactedEnv: run.redactedEnv };
  };

  it("a viewer and a token without runs:write see [redacted] for those names, the rest as they are", async () => {
    for (const as of [{ user: users.viewer }, { token: tokens.readOnly }]) {
      const { env: shown, redactedEnv } = await specOf(as);
      assert.deepEqual(redactedEnv, [...hiddenNames].sort());
      for (const name of hiddenNames) assert.equal(shown[name], "[redacted]", name);
      assert.deepEqual([shown.NODE_ENV, shown.GIT_AUTHOR_NAME, shown.LOG_LEVEL], ["production", "Ada", "debug"]);
      assert.deepEqual(Object.keys(shown).sort(), Object.keys(env).sort(), "the names stay");
    }
  });

  it("members, admins and runs:write tokens see every value", async () => {
    for (const as of [{ user: users.member }, { user: users.admin }, { token: tokens.writer }]) {
      const { env: shown, redactedEnv } = await specOf(as);
      assert.deepEqual(shown, env);
      assert.deepEqual(redactedEnv, []);
    }
  });

  it("over REST the same: a read-only token's GET /runs/{id} holds none of the values", async () => {
    const handler = createRestHandler({ basePath: "/api/v1", createContext: async () => ({ prisma, user: null, token: tokens.readOnly }) });
    const response = await handler(new Request(`http://bailey.test/api/v1/runs/${runId}`, { headers: { authorization: "Bearer bly_test" } }));
    const text = await response.text();
    assert.equal(response.status, 200, text);
    for (const name of hiddenNames) assert.ok(!text.includes(env[name as keyof typeof env]), `${name}'s value is in the answer`);
    assert.ok(text.includes('"GITHUB_TOKEN":"[redacted]"'));
  });
});
