import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, createApiToken, createRun, createSecretsKeyFile, createTeamSecret, type AuthenticatedToken, type TokenScope } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRestHandler, openApiDocument } from "../src";

describe("grants, the egress policy and a run's egress over REST (/api/v1/grants, /team/policy, /runs/{id}/egress)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let keyDir = "";
  let teamId = "";
  let runId = "";
  const tokens: Record<"admin" | "member" | "readOnly" | "runsOnly" | "viewer", AuthenticatedToken | null> = { admin: null, member: null, readOnly: null, runsOnly: null, viewer: null };
  let viewerUser = { id: "", email: "" };
  const value = `rest-grant-secret-${Date.now()}`;
  const handler = createRestHandler({
    basePath: "/api/v1",
    // Viewers cannot make tokens: the viewer calls with a dashboard session.
    createContext: async (request) =>
      request.headers.get("x-as") === "viewer" ? { prisma, user: viewerUser, token: null } : { prisma, user: null, token: tokens[request.headers.get("x-as") as keyof typeof tokens] ?? null },
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
  const github = { name: "github", secretName: "GITHUB_TOKEN", hosts: ["api.github.com", "*.githubusercontent.com"], inject: { kind: "basic", username: "x-access-token" }, description: "the bot" };

  before(async () => {
    keyDir = await mkdtemp(path.join(tmpdir(), "bailey-rest-grants-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    teamId = admin.teamId;
    const { ctx: member } = await addScratchMember(prisma, teamId, { role: "member" });
    viewerUser = (await addScratchMember(prisma, teamId, { role: "viewer" })).user;
    const mint = async (ctx: typeof admin, scopes: TokenScope[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.admin = await mint(admin, ["secrets:read", "secrets:write", "team:write", "runs:read", "runs:write"]);
    tokens.member = await mint(member, ["secrets:read", "secrets:write", "runs:read", "runs:write"]);
    tokens.readOnly = await mint(admin, ["secrets:read"]);
    tokens.runsOnly = await mint(admin, ["runs:read", "runs:write"]);
    await createTeamSecret({ prisma, ctx: admin, name: "GITHUB_TOKEN", value });
    runId = (await createRun({ prisma, ctx: admin, spec: { image: "bailey-test/busybox:latest" } })).run.id;
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("POST creates (201) in the documented shape; a taken name is 409; members and viewers list it, with no value anywhere", async () => {
    const created = await call("admin", "POST", "/grants", github);
    assert.equal(created.status, 201, created.text);
    const grant = created.json.grant as Record<string, unknown>;
    assert.deepEqual(Object.keys(grant).sort(), ["createdAt", "createdBy", "description", "hosts", "id", "inject", "name", "secretName", "updatedAt"]);
    assert.deepEqual([grant.name, grant.secretName, grant.hosts, grant.inject, grant.description], [github.name, github.secretName, github.hosts, github.inject, github.description]);
    assert.match(String(grant.createdAt), /^\d{4}-\d\d-\d\dT/);
    assert.ok((grant.createdBy as { email: string }).email.includes("@"));
    const again = await call("admin", "POST", "/grants", github);
    assert.equal(again.status, 409, again.text);
    assert.match(again.json.error?.message ?? "", /already has a grant named "github"/);
    for (const as of ["member", "viewer", "readOnly"] as const) {
      const list = await call(as, "GET", "/grants");
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(
        (list.json.grants as { name: string }[]).map((entry) => entry.name),
        ["github"],
      );
      assert.ok(!list.text.includes(value), "no secret value in the listing");
    }
    const audit = JSON.stringify(await prisma.auditEvent.findMany({ where: { teamId }, select: { action: true, data: true } }));
    assert.ok(audit.includes("grant.created") && !audit.includes(value), "audited, without the value");
  });

  it("refuses bad input, members, viewers and tokens without secrets:write, each saying what to do", async () => {
    const bad = async (body: Record<string, unknown>, pattern: RegExp) => {
      const response = await call("admin", "POST", "/grants", { ...github, name: "other", ...body });
      assert.equal(response.status, 400, response.text);
      assert.match(response.json.error?.message ?? "", pattern);
    };
    await bad({ name: "../x" }, /letter or digit first/);
    await bad({ secretName: "MISSING" }, /no secret named "MISSING"\. Create it on the Secrets page/);
    await bad({ hosts: ["*.com"] }, /a wildcard needs a domain of at least two labels/);
    await bad({ hosts: [] }, /List at least one host/);
    await bad({ inject: { kind: "cookie" } }, /inject\.kind must be bearer, header, basic or query/);
    await bad({ inject: { kind: "header", header: "Bad Header" } }, /inject\.header must be an HTTP header name/);
    await bad({ value: "a value has no place here" }, /value/);
    const member = await call("member", "POST", "/grants", { ...github, name: "mine" });
    assert.equal(member.status, 403);
    assert.match(member.json.error?.message ?? "", /needs the admin role or higher; you are a member/);
    const viewer = await call("viewer", "POST", "/grants", { ...github, name: "mine" });
    assert.equal(viewer.status, 403);
    const readOnly = await call("readOnly", "POST", "/grants", { ...github, name: "mine" });
    assert.equal(readOnly.status, 403);
    assert.match(readOnly.json.error?.message ?? "", /lacks the secrets:write scope/);
    const runsOnly = await call("runsOnly", "GET", "/grants");
    assert.equal(runsOnly.status, 403);
    assert.match(runsOnly.json.error?.message ?? "", /lacks the secrets:read scope/);
  });

  it("a secret in use cannot be deleted (409 naming the grant); PATCH changes a grant; DELETE removes it, then the secret can go", async () => {
    const [grant] = (await call("admin", "GET", "/grants")).json.grants as { id: string }[];
    const [secret] = (await call("admin", "GET", "/secrets")).json.secrets as { id: string }[];
    const inUse = await call("admin", "DELETE", `/secrets/${secret!.id}`);
    assert.equal(inUse.status, 409, inUse.text);
    assert.match(inUse.json.error?.message ?? "", /Secret "GITHUB_TOKEN" is used by grant github/);
    const patched = await call("admin", "PATCH", `/grants/${grant!.id}`, { hosts: ["api.github.com:443"], inject: { kind: "bearer" }, description: null });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual((patched.json.grant as { hosts: string[] }).hosts, ["api.github.com:443"]);
    assert.deepEqual((patched.json.grant as { inject: unknown }).inject, { kind: "bearer" });
    assert.equal((patched.json.grant as { description: unknown }).description, null);
    assert.equal((await call("member", "PATCH", `/grants/${grant!.id}`, { hosts: ["evil.example"] })).status, 403);
    assert.equal((await call("admin", "DELETE", `/grants/${grant!.id}`)).status, 200);
    assert.equal((await call("admin", "DELETE", `/grants/${grant!.id}`)).status, 404);
    assert.equal((await call("admin", "DELETE", `/secrets/${secret!.id}`)).status, 200);
  });

  it("GET/PATCH /team/policy carry defaultEgressPolicy; an unknown one is a 400", async () => {
    const policy = await call("admin", "GET", "/team/policy");
    assert.equal(policy.status, 200, policy.text);
    assert.equal((policy.json.policy as { defaultEgressPolicy: string }).defaultEgressPolicy, "open");
    const strict = await call("admin", "PATCH", "/team/policy", { defaultEgressPolicy: "strict" });
    assert.equal((strict.json.policy as { defaultEgressPolicy: string }).defaultEgressPolicy, "strict");
    const wrong = await call("admin", "PATCH", "/team/policy", { defaultEgressPolicy: "closed" });
    assert.equal(wrong.status, 400, wrong.text);
    await call("admin", "PATCH", "/team/policy", { defaultEgressPolicy: "open" });
  });

  it("GET /runs/{id}/egress: denials first, then latest first, with totals; viewers may read it; other teams get 404", async () => {
    const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, second));
    await prisma.runEgress.createMany({
      data: [
        { runId, host: "api.github.com", port: 443, decision: "allowed", via: "github", connections: 3, bytesIn: 5_000_000_000n, bytesOut: 10n, firstAt: at(1), lastAt: at(9) },
        { runId, host: "pypi.org", port: 443, decision: "allowed", via: "allow", connections: 1, bytesIn: 1n, bytesOut: 2n, firstAt: at(2), lastAt: at(2) },
        { runId, host: "evil.example", port: 443, decision: "denied", reason: "not allowed", connections: 2, firstAt: at(3), lastAt: at(4) },
      ],
    });
    const egress = await call("viewer", "GET", `/runs/${runId}/egress`);
    assert.equal(egress.status, 200, egress.text);
    assert.deepEqual(egress.json.totals, { allowed: 4, denied: 2 });
    const entries = egress.json.egress as { host: string; decision: string; via: string | null; reason: string | null; bytesIn: number; lastAt: string }[];
    assert.deepEqual(
      entries.map((entry) => [entry.host, entry.decision, entry.via, entry.reason, entry.bytesIn]),
      [
        ["evil.example", "denied", null, "not allowed", 0],
        ["api.github.com", "allowed", "github", null, 5_000_000_000],
        ["pypi.org", "allowed", "allow", null, 1],
      ],
    );
    assert.equal(entries[1]!.lastAt, at(9).toISOString());
    assert.equal((await call("readOnly", "GET", `/runs/${runId}/egress`)).status, 403, "needs runs:read");
    assert.equal((await call("viewer", "GET", "/runs/not-a-run/egress")).status, 404);
    const { ctx: outsider } = await createScratchTeam(prisma, { role: "owner" });
    const stranger = await authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx: outsider, name: "t", scopes: ["runs:read"] })).token });
    tokens.runsOnly = stranger;
    assert.equal((await call("runsOnly", "GET", `/runs/${runId}/egress`)).status, 404);
  });

  it("the OpenAPI document has the grant operations with the secrets scopes, and no response schema has a value field", () => {
    const paths = (openApiDocument() as unknown as { paths: Record<string, Record<string, { "x-bailey-scope"?: string; responses: unknown }>> }).paths;
    const ours = Object.entries(paths).filter(([pathname]) => pathname.startsWith("/grants") || pathname.endsWith("/egress"));
    assert.deepEqual(ours.flatMap(([pathname, methods]) => Object.entries(methods).map(([method, operation]) => `${method} ${pathname} ${operation["x-bailey-scope"]}`)).sort(), [
      "delete /grants/{id} secrets:write",
      "get /grants secrets:read",
      "get /runs/{id}/egress runs:read",
      "patch /grants/{id} secrets:write",
      "post /grants secrets:write",
    ]);
    for (const [pathname, methods] of ours) {
      for (const operation of Object.values(methods)) assert.ok(!JSON.stringify(operation.responses).includes('"value"'), `${pathname}: a response names a value`);
    }
  });
});
