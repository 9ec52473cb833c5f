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

describe("registry credentials over REST (/api/v1/registry-credentials)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let keyDir = "";
  const tokens: Record<"admin" | "member" | "readOnly", AuthenticatedToken | null> = { admin: null, member: null, readOnly: null };
  const password = `rest-secret-${Date.now()}`;
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
    keyDir = await mkdtemp(path.join(tmpdir(), "bailey-rest-secrets-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    const { ctx: member } = await addScratchMember(prisma, admin.teamId, { role: "member" });
    const mint = async (ctx: typeof admin, scopes: ("registries:read" | "registries:write")[]) =>
      authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.admin = await mint(admin, ["registries:read", "registries:write"]);
    tokens.member = await mint(member, ["registries:read", "registries:write"]);
    tokens.readOnly = await mint(admin, ["registries:read"]);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("POST saves (201), a second POST replaces (200, created false); neither answer nor the list holds the secret", async () => {
    const first = await call("admin", "POST", "/registry-credentials", { registry: "https://127.0.0.1:5051/", username: "bailey-test", password });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.created, true);
    assert.equal((first.json.credential as { registry: string }).registry, "127.0.0.1:5051");
    assert.ok(!first.text.includes(password), first.text);
    const again = await call("admin", "POST", "/registry-credentials", { registry: "127.0.0.1:5051", username: "bailey-test", password: `${password}-2` });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.created, false);
    const list = await call("readOnly", "GET", "/registry-credentials");
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.text.includes(password), list.text);
    const credentials = list.json.credentials as { registry: string; username: string; lastUsedAt: string | null; updatedAt: string }[];
    assert.deepEqual(
      credentials.map((credential) => [credential.registry, credential.username, credential.lastUsedAt]),
      [["127.0.0.1:5051", "bailey-test", null]],
    );
    assert.match(credentials[0]!.updatedAt, /^\d{4}-\d\d-\d\dT/);
  });

  it("refuses junk registries, members and read-only tokens with messages that say what to do", async () => {
    const junk = await call("admin", "POST", "/registry-credentials", { registry: "ghcr.io/org/repo", username: "u", password: "p" });
    assert.equal(junk.status, 400);
    assert.match(junk.json.error?.message ?? "", /has a path; credentials are per registry/);
    const empty = await call("admin", "POST", "/registry-credentials", { registry: "ghcr.io", username: "u", password: "" });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Give the password or access token/);
    const member = await call("member", "POST", "/registry-credentials", { registry: "ghcr.io", username: "u", password: "p" });
    assert.equal(member.status, 403);
    assert.match(member.json.error?.message ?? "", /needs the admin role or higher; you are a member/);
    const readOnly = await call("readOnly", "POST", "/registry-credentials", { registry: "ghcr.io", username: "u", password: "p" });
    assert.equal(readOnly.status, 403);
    assert.match(readOnly.json.error?.message ?? "", /lacks the registries:write scope/);
  });

  it("DELETE removes; a second DELETE is 404", async () => {
    const [credential] = (await call("admin", "GET", "/registry-credentials")).json.credentials as { id: string }[];
    const removed = await call("admin", "DELETE", `/registry-credentials/${credential!.id}`);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await call("admin", "DELETE", `/registry-credentials/${credential!.id}`)).status, 404);
    assert.deepEqual((await call("admin", "GET", "/registry-credentials")).json.credentials, []);
  });

  it("the OpenAPI document has the three operations, and no response schema has a password field", () => {
    const paths = (openApiDocument() as unknown as { paths: Record<string, Record<string, { "x-bailey-scope"?: string; responses: unknown }>> }).paths;
    assert.deepEqual(
      Object.entries(paths)
        .filter(([pathname]) => pathname.startsWith("/registry-credentials"))
        .flatMap(([pathname, methods]) => Object.entries(methods).map(([method, operation]) => `${method} ${pathname} ${operation["x-bailey-scope"]}`))
        .sort(),
      ["delete /registry-credentials/{id} registries:write", "get /registry-credentials registries:read", "post /registry-credentials registries:write"],
    );
    for (const [pathname, methods] of Object.entries(paths).filter(([name]) => name.startsWith("/registry-credentials"))) {
      for (const operation of Object.values(methods)) assert.ok(!JSON.stringify(operation.responses).includes('"password"'), `${pathname}: a response names a password`);
    }
  });
});
