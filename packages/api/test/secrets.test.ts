import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, createApiToken, createSecretsKeyFile, type AuthenticatedToken } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRestHandler, openApiDocument } from "../src";

describe("team secrets over REST (/api/v1/secrets)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let keyDir = "";
  const tokens: Record<"admin" | "member" | "readOnly", AuthenticatedToken | null> = { admin: null, member: null, readOnly: null };
  const value = `rest-secret-value-${Date.now()}`;
  const handler = createRestHandler({
    basePath: "/api/v1",
    createContext: async (request) => ({ prisma, user: null, token: tokens[request.headers.get("x-as") as keyof typeof tokens] ?? null }),
  });
  const call = async (as: keyof typeof tokens, method: string, pathname: string, body?: unknown) => {
    const response = await handler(
      new Request(`http://bailey.test/api/v1${pathname}`, {
        method,
        headers: { "x-as": as, authorization: "Bearer bly_test", ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> & { error?: { message: string } } };
  };

  before(async () => {
    keyDir = await mkdtemp(path.join(tmpdir(), "bailey-rest-team-secrets-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    const { ctx: member } = await addScratchMember(prisma, admin.teamId, { role: "member" });
    const mint = async (ctx: typeof admin, scopes: ("secrets:read" | "secrets:write")[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.admin = await mint(admin, ["secrets:read", "secrets:write"]);
    tokens.member = await mint(member, ["secrets:read", "secrets:write"]);
    tokens.readOnly = await mint(admin, ["secrets:read"]);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("POST creates (201) without echoing the value; a second POST of the name is a 409 naming it; GET lists names only", async () => {
    const created = await call("admin", "POST", "/secrets", { name: "DEPLOY_TOKEN", value, description: "for deploys" });
    assert.equal(created.status, 201, created.text);
    assert.equal((created.json.secret as { name: string }).name, "DEPLOY_TOKEN");
    assert.ok(!created.text.includes(value), created.text);
    const again = await call("admin", "POST", "/secrets", { name: "DEPLOY_TOKEN", value: "other" });
    assert.equal(again.status, 409, again.text);
    assert.match(again.json.error?.message ?? "", /already has a secret named "DEPLOY_TOKEN"/);
    const list = await call("readOnly", "GET", "/secrets");
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.text.includes(value), list.text);
    const secrets = list.json.secrets as { name: string; description: string | null; updatedAt: string }[];
    assert.deepEqual(
      secrets.map((secret) => [secret.name, secret.description]),
      [["DEPLOY_TOKEN", "for deploys"]],
    );
    assert.match(secrets[0]!.updatedAt, /^\d{4}-\d\d-\d\dT/);
  });

  it("refuses bad names, members and read-only tokens with messages that say what to do", async () => {
    const badName = await call("admin", "POST", "/secrets", { name: "../etc/passwd", value: "x" });
    assert.equal(badName.status, 400);
    assert.match(badName.text, /a letter or _ first, then letters, digits, _ or -/);
    const empty = await call("admin", "POST", "/secrets", { name: "EMPTY", value: "" });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Give the secret's value/);
    const member = await call("member", "POST", "/secrets", { name: "MINE", value: "x" });
    assert.equal(member.status, 403);
    assert.match(member.json.error?.message ?? "", /needs the admin role or higher; you are a member/);
    const readOnly = await call("readOnly", "POST", "/secrets", { name: "MINE", value: "x" });
    assert.equal(readOnly.status, 403);
    assert.match(readOnly.json.error?.message ?? "", /lacks the secrets:write scope/);
  });

  it("PATCH changes the value or description; DELETE removes; a second DELETE is 404", async () => {
    const [secret] = (await call("admin", "GET", "/secrets")).json.secrets as { id: string }[];
    const patched = await call("admin", "PATCH", `/secrets/${secret!.id}`, { value: `${value}-2` });
    assert.equal(patched.status, 200, patched.text);
    assert.ok(!patched.text.includes(value));
    assert.equal((patched.json.secret as { description: string }).description, "for deploys");
    const described = await call("admin", "PATCH", `/secrets/${secret!.id}`, { description: null });
    assert.equal((described.json.secret as { description: string | null }).description, null);
    assert.equal((await call("member", "PATCH", `/secrets/${secret!.id}`, { value: "x" })).status, 403);
    const removed = await call("admin", "DELETE", `/secrets/${secret!.id}`);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await call("admin", "DELETE", `/secrets/${secret!.id}`)).status, 404);
    assert.deepEqual((await call("admin", "GET", "/secrets")).json.secrets, []);
  });

  it("the OpenAPI document has the four operations, and no response schema has a value field", () => {
    const paths = (openApiDocument() as unknown as { paths: Record<string, Record<string, { "x-bailey-scope"?: string; responses: unknown }>> }).paths;
    const ours = Object.entries(paths).filter(([pathname]) => pathname.startsWith("/secrets"));
    assert.deepEqual(ours.flatMap(([pathname, methods]) => Object.entries(methods).map(([method, operation]) => `${method} ${pathname} ${operation["x-bailey-scope"]}`)).sort(), [
      "delete /secrets/{id} secrets:write",
      "get /secrets secrets:read",
      "patch /secrets/{id} secrets:write",
      "post /secrets secrets:write",
    ]);
    for (const [pathname, methods] of ours) {
      for (const operation of Object.values(methods)) assert.ok(!JSON.stringify(operation.responses).includes('"value"'), `${pathname}: a response names a value`);
    }
  });
});
