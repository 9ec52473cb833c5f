import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, createApiToken, maxBuildContextBytes, type AuthenticatedToken, type TokenScope } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRestHandler, openApiDocument } from "../src";

describe("build contexts over REST (POST/GET /api/v1/build-contexts) and runs that build from them", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let tar: Uint8Array<ArrayBuffer>;
  const tokens: Record<"member" | "readOnly" | "viewer" | "otherTeam", AuthenticatedToken | null> = { member: null, readOnly: null, viewer: null, otherTeam: null };
  const handler = createRestHandler({
    basePath: "/api/v1",
    createContext: async (request) => ({ prisma, user: null, token: tokens[request.headers.get("x-as") as keyof typeof tokens] ?? null }),
  });
  const call = async (as: keyof typeof tokens, method: string, pathname: string, body?: BodyInit, headers: Record<string, string> = {}) => {
    const response = await handler(
      new Request(`http://bailey.test/api/v1${pathname}`, { method, headers: { "x-as": as, authorization: "Bearer bly_test", ...headers }, ...(body ? { body, duplex: "half" } : {}) } as RequestInit),
    );
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> & { error?: { message: string } } };
  };
  const upload = (as: keyof typeof tokens, body: BodyInit, type = "application/x-tar", headers: Record<string, string> = {}) =>
    call(as, "POST", "/build-contexts", body, { "content-type": type, ...headers });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-rest-contexts-"));
    await mkdir(path.join(dir, "context"));
    await writeFile(path.join(dir, "context", "Dockerfile"), "FROM bailey-test/busybox:latest\nCOPY hello /hello\n");
    await writeFile(path.join(dir, "context", "hello"), "hello from the context\n");
    execFileSync("tar", ["-cf", path.join(dir, "context.tar"), "-C", path.join(dir, "context"), "."]);
    tar = new Uint8Array(await readFile(path.join(dir, "context.tar")));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: member } = await createScratchTeam(prisma, { role: "member" });
    const { ctx: viewer } = await addScratchMember(prisma, member.teamId, { role: "viewer" });
    const { ctx: stranger } = await createScratchTeam(prisma, { role: "member" });
    const mint = async (ctx: typeof member, scopes: TokenScope[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.member = await mint(member, ["runs:read", "runs:write"]);
    tokens.readOnly = await mint(member, ["runs:read"]);
    tokens.otherTeam = await mint(stranger, ["runs:read", "runs:write"]);
    // Viewers cannot mint write scopes for themselves; a viewer's token with runs:write is what a demoted member would hold.
    const viewerToken = await mint(member, ["runs:read", "runs:write"]);
    tokens.viewer = viewerToken && { ...viewerToken, role: viewer.role, userId: viewer.actor.userId };
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("uploads a tar (201), the same bytes again are the same context (200), and the list shows it", async () => {
    const first = await upload("member", tar);
    assert.equal(first.status, 201, first.text);
    const context = first.json.buildContext as { id: string; sha256: string; sizeBytes: number; createdAt: string };
    assert.equal(context.sha256, createHash("sha256").update(tar).digest("hex"));
    assert.equal(context.sizeBytes, tar.length);
    assert.match(context.createdAt, /^\d{4}-\d\d-\d\dT/);
    const again = await upload("member", tar);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, { buildContext: context, created: false });
    const list = await call("readOnly", "GET", "/build-contexts");
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.buildContexts, [context]);
    const theirs = await call("otherTeam", "GET", "/build-contexts");
    assert.deepEqual(theirs.json.buildContexts, [], "another team sees none of them");

    // A run builds from it; another team's run naming the same hash is refused.
    const run = await call("member", "POST", "/runs", JSON.stringify({ build: { context: context.sha256 }, command: ["cat", "/hello"] }), { "content-type": "application/json" });
    assert.equal(run.status, 201, run.text);
    assert.match(String((run.json.run as { image: string }).image), /^bailey-build\/.+:latest$/);
    const stranger = await call("otherTeam", "POST", "/runs", JSON.stringify({ build: { context: context.sha256 } }), { "content-type": "application/json" });
    assert.equal(stranger.status, 400, stranger.text);
    assert.match(stranger.json.error?.message ?? "", /upload it first \(POST \/api\/v1\/build-contexts/);
    const both = await call("member", "POST", "/runs", JSON.stringify({ image: "node:20", build: { context: context.sha256 } }), { "content-type": "application/json" });
    assert.equal(both.status, 400, both.text);
    assert.match(both.json.error?.message ?? "", /give either image or build, not both/);
  });

  it("refuses, saying what to do: past the limit (413), not a tar (400), another content type (400), no write scope or a viewer (403), no token (401)", async () => {
    const declared = await upload("member", tar, "application/x-tar", { "content-length": String(maxBuildContextBytes + 1) });
    assert.equal(declared.status, 413, declared.text);
    assert.match(declared.json.error?.message ?? "", /at most 32 MiB/);
    // Streamed past the limit without a declared length: cut off, not read to the end.
    const big = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent <= maxBuildContextBytes; sent += 1024 * 1024) controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    const streamed = await upload("member", big);
    assert.equal(streamed.status, 413, streamed.text);
    const text = await upload("member", new Uint8Array(randomBytes(2048)));
    assert.equal(text.status, 400, text.text);
    assert.match(text.json.error?.message ?? "", /not a tar or a gzip; make one with/);
    const json = await upload("member", JSON.stringify({ tar: "x" }), "application/json");
    assert.equal(json.status, 400, json.text);
    assert.match(json.json.error?.message ?? "", /application\/x-tar, or gzipped as application\/gzip/);
    const readOnly = await upload("readOnly", tar);
    assert.equal(readOnly.status, 403, readOnly.text);
    const viewer = await upload("viewer", tar);
    assert.equal(viewer.status, 403, viewer.text);
    const anonymous = await handler(new Request("http://bailey.test/api/v1/build-contexts", { method: "POST", headers: { "content-type": "application/x-tar" }, body: tar }));
    assert.equal(anonymous.status, 401);
    const put = await call("member", "PUT", "/build-contexts");
    assert.equal(put.status, 405);
    assert.match(put.json.error?.message ?? "", /answers GET, POST/);
  });

  it("the OpenAPI document describes the upload's body and answers", () => {
    const operation = (
      openApiDocument().paths as Record<string, Record<string, { requestBody: { content: Record<string, { schema: { format: string; maxLength: number } }> }; responses: Record<string, unknown> }>>
    )["/build-contexts"]!;
    assert.ok(operation.get, "GET lists");
    const post = operation.post!;
    assert.deepEqual(Object.keys(post.requestBody.content).sort(), ["application/gzip", "application/x-gzip", "application/x-tar"]);
    assert.equal(post.requestBody.content["application/x-tar"]!.schema.format, "binary");
    assert.equal(post.requestBody.content["application/x-tar"]!.schema.maxLength, maxBuildContextBytes);
    for (const status of ["200", "201", "400", "401", "403", "413"]) assert.ok(post.responses[status], `answers ${status}`);
  });
});
