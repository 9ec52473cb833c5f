import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, createApiToken, type AuthenticatedToken } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createRestHandler } from "../src";

// Limits the engines refuse (Docker: memory under 6 MiB, --cpus under 0.01; runsc: under about
// 14 MiB) are refused at submission, naming the field and the least value, and nothing is stored.
describe("run resource limits below the engines' minimums (POST /api/v1/runs)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let token: AuthenticatedToken | null = null;
  const handler = createRestHandler({ basePath: "/api/v1", createContext: async () => ({ prisma, user: null, token }) });
  const submit = async (spec: Record<string, unknown>) => {
    const response = await handler(
      new Request("http://bailey.test/api/v1/runs", {
        method: "POST",
        headers: { authorization: "Bearer bly_test", "content-type": "application/json" },
        body: JSON.stringify({ image: "bailey-test/busybox:latest", command: ["true"], ...spec }),
      }),
    );
    const text = await response.text();
    return { status: response.status, text, message: (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? "" };
  };

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { ctx } = await createScratchTeam(prisma, { role: "member" });
    token = await authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes: ["runs:write", "runs:read"] })).token });
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('memory "1b" under gVisor is a 400 naming resources.memory and gVisor\'s minimum', async () => {
    const answer = await submit({ resources: { memory: "1b" } });
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.message, /resources\.memory/);
    assert.match(answer.message, /16m/);
  });

  it("memory under Docker's 6 MiB without a sandbox is a 400 naming 6m; 8m without a sandbox passes validation", async () => {
    const low = await submit({ sandbox: "none", resources: { memory: "5m" } });
    assert.equal(low.status, 400, low.text);
    assert.match(low.message, /resources\.memory.*6m/);
    const enough = await submit({ sandbox: "none", resources: { memory: "8m" } });
    assert.notEqual(enough.status, 400, enough.text);
    assert.doesNotMatch(enough.message, /resources\.memory/);
  });

  it("cpus below 0.01 is a 400 naming resources.cpus and 0.01", async () => {
    const answer = await submit({ resources: { cpus: 1e-9 } });
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.message, /resources\.cpus/);
    assert.match(answer.message, /0\.01/);
  });

  it("a refused spec stores no run", async () => {
    assert.equal(await prisma.run.count(), 0);
  });
});
