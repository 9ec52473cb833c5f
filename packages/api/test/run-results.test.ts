import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AuthenticatedToken, authenticateApiToken, createApiToken, type TokenScope } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRestHandler, openApiDocument } from "../src";

describe("a run's results over REST (/runs/{id}/results, /artifacts) and the team's storage and retention", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let runId = "";
  let plainRunId = "";
  let otherRunId = "";
  const tokens: Record<"admin" | "readOnly" | "noRuns" | "other", AuthenticatedToken | null> = { admin: null, readOnly: null, noRuns: null, other: null };
  let viewerUser = { id: "", email: "" };
  const handler = createRestHandler({
    basePath: "/api/v1",
    createContext: async (request) =>
      request.headers.get("x-as") === "viewer" ? { prisma, user: viewerUser, token: null } : { prisma, user: null, token: tokens[request.headers.get("x-as") as keyof typeof tokens] ?? null },
  });
  const call = async (as: keyof typeof tokens | "viewer", method: string, pathname: string, body?: unknown) => {
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
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    viewerUser = (await addScratchMember(prisma, admin.teamId, { role: "viewer" })).user;
    const mint = async (ctx: typeof admin, scopes: TokenScope[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.admin = await mint(admin, ["runs:read", "runs:write", "team:write"]);
    tokens.readOnly = await mint(admin, ["runs:read"]);
    tokens.noRuns = await mint(admin, ["secrets:read"]);
    const other = await createScratchTeam(prisma, { role: "admin" });
    tokens.other = await mint(other.ctx, ["runs:read"]);
    otherRunId = (await prisma.run.create({ data: { teamId: other.ctx.teamId, spec: { image: "x", workspace: {} }, state: "running" } })).id;
    // A run as the results shipper leaves it: ended, partial (one artifact over the cap), pushed.
    const run = await prisma.run.create({
      data: {
        teamId: admin.teamId,
        spec: { image: "bailey-test/git:latest", workspace: { git: "git://127.0.0.1/project.git", ref: "main" }, artifacts: ["out/**"], push: { branch: "bailey/x" } },
        state: "succeeded",
        finishedAt: new Date(),
        resultsState: "partial",
        resultsMissing: [{ name: "artifacts", reason: "out/huge.iso is 3 GiB, over the 1 GiB per-file cap" }],
        baseCommit: "a".repeat(40),
        headCommit: "b".repeat(40),
        pushedBranch: "bailey/x",
        pushedCommit: "b".repeat(40),
        logBytesStored: 1234n,
        logsCompleteAt: new Date(),
      },
    });
    runId = run.id;
    await prisma.runResult.createMany({
      data: [
        { runId, name: "diff.patch", kind: "diff", sizeBytes: 100n, sha256: "1".repeat(64), storedBytes: 100n, completedAt: new Date() },
        { runId, name: "artifacts/out/report.json", kind: "artifact", sizeBytes: 50n, sha256: "2".repeat(64), storedBytes: 50n, completedAt: new Date() },
        { runId, name: "artifacts/out/deep/x.bin", kind: "artifact", sizeBytes: 10n, sha256: "3".repeat(64), storedBytes: 4n },
      ],
    });
    plainRunId = (await prisma.run.create({ data: { teamId: admin.teamId, spec: { image: "x" }, state: "running" } })).id;
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("GET /runs/{id}/results: state, what is missing and why, files, commits, the pushed branch, logs; read-only tokens and viewers too", async () => {
    for (const as of ["readOnly", "viewer"] as const) {
      const response = await call(as, "GET", `/runs/${runId}/results`);
      assert.equal(response.status, 200, response.text);
      const results = response.json;
      assert.equal(results.state, "partial");
      assert.deepEqual(results.missing, [{ name: "artifacts", reason: "out/huge.iso is 3 GiB, over the 1 GiB per-file cap" }]);
      assert.deepEqual(results.pushed, { branch: "bailey/x", commit: "b".repeat(40) });
      assert.deepEqual(results.workspace, { git: "git://127.0.0.1/project.git", ref: "main" });
      assert.deepEqual([results.baseCommit, results.headCommit], ["a".repeat(40), "b".repeat(40)]);
      assert.deepEqual(results.logs, { storedBytes: 1234, complete: true });
      assert.deepEqual(
        (results.files as { name: string; stored: boolean; sizeBytes: number }[]).map((file) => [file.name, file.sizeBytes, file.stored]),
        [
          ["artifacts/out/deep/x.bin", 10, false],
          ["artifacts/out/report.json", 50, true],
          ["diff.patch", 100, true],
        ],
      );
    }
    const plain = await call("readOnly", "GET", `/runs/${plainRunId}/results`);
    assert.equal(plain.json.state, "none", "a spec without a workspace has no results");
    const pending = await call("other", "GET", `/runs/${otherRunId}/results`);
    assert.equal(pending.json.state, "pending", "a workspace run that has not ended");
  });

  it("GET /runs/{id}/artifacts lists the artifacts by their path; another team's run is 404, a token without runs:read 403", async () => {
    const listed = await call("readOnly", "GET", `/runs/${runId}/artifacts`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      (listed.json.artifacts as { path: string; name: string; sha256: string }[]).map((artifact) => [artifact.path, artifact.name, artifact.sha256]),
      [
        ["out/deep/x.bin", "artifacts/out/deep/x.bin", "3".repeat(64)],
        ["out/report.json", "artifacts/out/report.json", "2".repeat(64)],
      ],
    );
    for (const path of ["results", "artifacts"]) {
      const foreign = await call("other", "GET", `/runs/${runId}/${path}`);
      assert.equal(foreign.status, 404, foreign.text);
      assert.match(foreign.json.error?.message ?? "", /Run not found/);
      const scopeless = await call("noRuns", "GET", `/runs/${runId}/${path}`);
      assert.equal(scopeless.status, 403, scopeless.text);
      assert.match(scopeless.json.error?.message ?? "", /runs:read/);
    }
  });

  it("GET /team/storage for any member; PATCH /team/policy sets blobRetentionDays 1-3650 (admins)", async () => {
    const storage = await call("viewer", "GET", "/team/storage");
    assert.equal(storage.status, 200, storage.text);
    assert.deepEqual(storage.json, { storageBytes: 1234 + 100 + 50 + 4, blobRetentionDays: 30 });
    for (const days of [0, 3651]) {
      const refused = await call("admin", "PATCH", "/team/policy", { blobRetentionDays: days });
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.text, /blobRetentionDays/);
    }
    const changed = await call("admin", "PATCH", "/team/policy", { blobRetentionDays: 90 });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((changed.json.policy as { blobRetentionDays: number }).blobRetentionDays, 90);
    assert.equal((await call("readOnly", "GET", "/team/storage")).json.blobRetentionDays, 90);
  });

  it("the OpenAPI document describes results, artifacts and the downloads with their scope", () => {
    const document = openApiDocument() as unknown as { paths: Record<string, Record<string, { "x-bailey-scope": string; parameters?: { name: string; in: string }[] }>> };
    for (const path of ["/runs/{id}/results", "/runs/{id}/artifacts", "/runs/{id}/diff", "/runs/{id}/bundle", "/runs/{id}/artifacts/{name}", "/team/storage"])
      assert.equal(document.paths[path]?.get?.["x-bailey-scope"], "runs:read", path);
    assert.deepEqual(
      document.paths["/runs/{id}/artifacts/{name}"]?.get?.parameters?.filter((parameter) => parameter.in === "path").map((parameter) => parameter.name),
      ["id", "name"],
    );
  });
});
