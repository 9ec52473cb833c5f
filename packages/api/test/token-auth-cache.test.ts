import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ApiTokenAuthCache, apiTokenAuthCache, tokenAuthTtlMs } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createCaller, type Context } from "../src";
import { bearerApiHandler } from "./support/bearer-api-handler";

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another API process on the same database, with its own token cache. */
async function startReplica(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "support/token-cache-replica.ts"), databaseUrl], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.split("\n")[0]!.trim());
    });
    child.once("exit", (code) => reject(new Error(`the replica exited (${code}) before it listened`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

describe("API token authentication cache", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let session: Context;
  let replica: { url: string; child: ChildProcess };

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { user, team } = await createScratchTeam(prisma, { role: "owner" });
    session = { prisma, user, teamId: team.id };
    replica = await startReplica(db.url);
  });
  after(async () => {
    replica?.child.stdin?.end();
    if (replica && replica.child.exitCode === null) await new Promise((resolve) => replica.child.once("exit", resolve));
    await prisma.$disconnect();
    await db.drop();
  });

  const mint = async (scopes: ("runs:read" | "hosts:read")[] = ["runs:read"]) => {
    const { token, apiToken } = await createCaller(session).tokens.create({ name: "cached", scopes });
    return { token, id: apiToken.id };
  };

  it("a token revoked through the API is refused at once here, and within a second by another process that had it cached", async () => {
    const { token, id } = await mint();
    const local = bearerApiHandler(prisma, apiTokenAuthCache);
    const listHere = async () => (await local(new Request("http://bailey.test/api/v1/runs", { headers: { authorization: `Bearer ${token}` } }))).status;
    const listThere = async () => (await fetch(`${replica.url}/api/v1/runs`, { headers: { authorization: `Bearer ${token}` } })).status;

    // Both replicas have verified it and hold it in their caches (the second one answers from memory).
    const statsBefore = (await (await fetch(`${replica.url}/stats`)).json()) as { hits: number; lookups: number };
    for (let i = 0; i < 5; i++) {
      assert.equal(await listHere(), 200);
      assert.equal(await listThere(), 200);
    }
    const statsAfter = (await (await fetch(`${replica.url}/stats`)).json()) as { hits: number; lookups: number };
    assert.ok(statsAfter.hits - statsBefore.hits >= 3, `the other replica served most requests from its cache: ${JSON.stringify({ statsBefore, statsAfter })}`);

    assert.equal(await listThere(), 200, "fresh in the other replica's cache right before the revocation");
    await createCaller(session).tokens.revoke({ id });
    const revokedAt = performance.now();
    assert.equal(await listHere(), 401, "the replica that revoked refuses at once");

    // The other replica: refused from some moment ≤ 1 s after the revocation, and from then on.
    let firstRefusalMs = Number.NaN;
    while (performance.now() - revokedAt < tokenAuthTtlMs + 200) {
      const status = await listThere();
      if (status === 401 && Number.isNaN(firstRefusalMs)) firstRefusalMs = performance.now() - revokedAt;
      if (!Number.isNaN(firstRefusalMs)) assert.equal(status, 401, "once refused, always refused");
      else assert.equal(status, 200);
      await sleep(25);
    }
    assert.ok(firstRefusalMs <= tokenAuthTtlMs, `refused ${firstRefusalMs.toFixed(0)} ms after the revocation`);
    await sleep(Math.max(0, revokedAt + tokenAuthTtlMs - performance.now()));
    assert.equal(await listThere(), 401, "a request 1 s after the revocation is refused by the other process");
    assert.equal(await listHere(), 401);
  });

  it("a role change, a removal from the team and an expiry reach a cached token within the TTL, without a forget", async () => {
    let now = 0;
    const cache = new ApiTokenAuthCache({ clock: () => now });
    const { token } = await mint(["runs:read", "hosts:read"]);
    const principal = await cache.authenticate({ prisma, token });
    assert.equal(principal?.role, "owner");
    const record = await prisma.apiToken.findFirstOrThrow({ where: { id: principal!.tokenId } });
    await prisma.membership.update({ where: { teamId_userId: { teamId: record.teamId, userId: record.createdById } }, data: { role: "viewer" } });
    now = tokenAuthTtlMs - 1;
    assert.equal((await cache.authenticate({ prisma, token }))?.role, "owner", "still cached just inside the TTL");
    assert.deepEqual(cache.stats, { hits: 1, lookups: 1 });
    now = tokenAuthTtlMs;
    assert.equal((await cache.authenticate({ prisma, token }))?.role, "viewer", "the new role once the TTL is up");

    // Expiry needs no database round trip: the cached principal carries it.
    await prisma.apiToken.update({ where: { id: record.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    now += tokenAuthTtlMs;
    assert.ok(await cache.authenticate({ prisma, token }));
    const lookups = cache.stats.lookups;
    assert.equal(await cache.authenticate({ prisma, token, now: new Date(Date.now() + 61_000) }), null, "refused once expired, though cached");
    assert.equal(cache.stats.lookups, lookups);

    await prisma.membership.delete({ where: { teamId_userId: { teamId: record.teamId, userId: record.createdById } } });
    now += tokenAuthTtlMs;
    assert.equal(await cache.authenticate({ prisma, token }), null, "removed from the team: refused");
    await prisma.membership.create({ data: { teamId: record.teamId, userId: record.createdById, role: "owner" } });
  });

  it("shares one lookup between concurrent requests, never hits with a wrong secret, and forgets on demand", async () => {
    const cache = new ApiTokenAuthCache();
    const { token } = await mint();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.authenticate({ prisma, token })));
    assert.ok(answers.every((answer) => answer?.tokenId === answers[0]?.tokenId));
    assert.equal(cache.stats.lookups, 1, "twenty concurrent requests, one database lookup");
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    assert.equal(await cache.authenticate({ prisma, token: altered }), null, "same prefix, wrong secret");
    cache.forgetToken(answers[0]!.tokenId);
    assert.ok(await cache.authenticate({ prisma, token }));
    assert.equal(cache.stats.lookups, 3, "the wrong secret and the forgotten token each went to the database");
  });

  it("refuses a TTL that would break the one-second promise", () => {
    assert.throws(() => new ApiTokenAuthCache({ ttlMs: 5000 }), /TTL must be 0 to 1000 ms/);
  });
});
