import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { admitAttempt, authenticateCredentials, deleteStaleRateLimitBuckets, hashPassword, type SignInThrottlePolicy } from "../src";

const policy: SignInThrottlePolicy = { accountFailures: 3, addressFailures: 1000, blockSeconds: 2, maxAccountBlockSeconds: 4, maxAddressBlockSeconds: 60, forgetAfterSeconds: 3600 };
const cost = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("sign-in throttle on Postgres", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let replicas: PrismaClient[] = [];
  let teamIds: string[] = [];
  const logged: string[] = [];

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    replicas = Array.from({ length: 4 }, () => createPrismaClient(db.url, { maxConnections: 5 }));
    const first = await createScratchTeam(prisma, { slug: "one", name: "One", email: "alice@example.com" });
    const second = await createScratchTeam(prisma, { slug: "two", name: "Two", email: "bob@example.com" });
    await addScratchMember(prisma, second.team.id, { userId: first.user.id, role: "member" });
    teamIds = [first.team.id, second.team.id];
    await prisma.user.updateMany({ data: { passwordHash: await hashPassword("alice's password", cost) } });
  });
  after(async () => {
    await Promise.all([prisma, ...replicas].map((client) => client.$disconnect()));
    await db.drop();
  });

  const signIn = (email: string, password: string, address = "198.51.100.7", client = prisma) =>
    authenticateCredentials({ prisma: client, email, password, address, policy, passwordCost: cost, log: (message) => logged.push(message) });

  it("admits exactly the limit when many replicas guess at once, then refuses with the time left", async () => {
    const key = { key: "signin:account:race@example.com", limit: 5, maxBlockSeconds: 30 };
    const attempts = await Promise.all(Array.from({ length: 40 }, (_, index) => admitAttempt(replicas[index % replicas.length]!, key, { ...policy, blockSeconds: 30 })));
    const admitted = attempts.filter((attempt) => attempt.admitted);
    assert.equal(admitted.length, 5, "only as many attempts as the limit are checked");
    assert.deepEqual(admitted.map((attempt) => attempt.hits).sort(), [1, 2, 3, 4, 5]);
    const refused = attempts.filter((attempt) => !attempt.admitted);
    assert.ok(
      refused.every((attempt) => attempt.retryAfterSeconds > 25 && attempt.retryAfterSeconds <= 30),
      JSON.stringify(refused.map((attempt) => attempt.retryAfterSeconds)),
    );
    const bucket = await prisma.rateLimitBucket.findUniqueOrThrow({ where: { key: key.key } });
    assert.equal(bucket.hits, 5);
  });

  it("blocks an account after its failures with doubling blocks, refuses without checking while blocked, and a success starts afresh", async () => {
    assert.deepEqual(await signIn("alice@example.com", "guess 1"), { outcome: "refused" });
    assert.deepEqual(await signIn("alice@example.com", "guess 2"), { outcome: "refused" });
    assert.deepEqual(await signIn("alice@example.com", "guess 3"), { outcome: "refused" }, "the attempt that reaches the limit is still checked");
    const blocked = await signIn("Alice@Example.com ", "alice's password");
    assert.equal(blocked.outcome, "throttled", "even the right password waits: the email is normalized into the same key");
    assert.ok(blocked.outcome === "throttled" && blocked.retryAfterSeconds >= 1 && blocked.retryAfterSeconds <= 2);

    await sleep(2_100);
    assert.deepEqual(await signIn("alice@example.com", "guess 4"), { outcome: "refused" });
    const doubled = await signIn("alice@example.com", "alice's password");
    assert.ok(doubled.outcome === "throttled" && doubled.retryAfterSeconds > 2 && doubled.retryAfterSeconds <= 4, `the next block is twice as long: ${JSON.stringify(doubled)}`);

    await sleep(4_100);
    assert.equal((await signIn("alice@example.com", "alice's password")).outcome, "signed-in");
    assert.equal(await prisma.rateLimitBucket.count({ where: { key: "signin:account:alice@example.com" } }), 0, "a success forgets the account's failures");
    assert.deepEqual(await signIn("alice@example.com", "guess 5"), { outcome: "refused" }, "and the count starts over");
  });

  it("audits the first failure and each block in every team of the account, never the password", async () => {
    const events = await prisma.auditEvent.findMany({ where: { action: { startsWith: "auth.signin_" } }, orderBy: [{ teamId: "asc" }, { seq: "asc" }] });
    const perTeam = teamIds.map((teamId) => events.filter((event) => event.teamId === teamId).map((event) => [event.action, (event.data as { failures: number }).failures]));
    // guesses 1-3 (first failure, block), guess 4 (block again), guess 5 after the success (a first failure again)
    const expected = [
      ["auth.signin_failed", 1],
      ["auth.signin_blocked", 3],
      ["auth.signin_blocked", 4],
      ["auth.signin_failed", 1],
    ];
    assert.deepEqual(perTeam, [expected, expected]);
    const data = events[0]!.data as Record<string, unknown>;
    assert.equal(data.address, "198.51.100.7");
    assert.equal(data.reason, "wrong-password");
    assert.equal(events[0]!.targetId, (await prisma.user.findUniqueOrThrow({ where: { email: "alice@example.com" } })).id);
    assert.ok(!JSON.stringify(events.map((event) => event.data)).includes("guess"), "no attempted password is stored");
  });

  it("throttles unknown emails the same way and logs them to the server only", async () => {
    const before = await prisma.auditEvent.count();
    for (let guess = 0; guess < 3; guess += 1) assert.deepEqual(await signIn("nobody@example.com", `guess ${guess}`), { outcome: "refused" });
    assert.equal((await signIn("nobody@example.com", "again")).outcome, "throttled");
    assert.equal(await prisma.auditEvent.count(), before);
    assert.equal(logged.filter((line) => line.includes("nobody@example.com")).length, 2, `the first failure and the block: ${logged.join("\n")}`);
    assert.ok(logged.every((line) => !line.includes("guess")));
  });

  it("blocks a guessing address across accounts, and a success from it takes back its own attempt", async () => {
    const address = "203.0.113.9";
    const narrow = { ...policy, addressFailures: 4 };
    const attempt = (email: string, password: string) => authenticateCredentials({ prisma, email, password, address, policy: narrow, passwordCost: cost, log: () => undefined });
    assert.equal((await attempt("bob@example.com", "alice's password")).outcome, "signed-in");
    for (const email of ["x1@example.com", "x2@example.com", "x3@example.com", "x4@example.com"]) assert.equal((await attempt(email, "guess")).outcome, "refused");
    const refused = await attempt("bob@example.com", "alice's password");
    assert.equal(refused.outcome, "throttled", "four failures from one address block it for every account");
    assert.equal((await prisma.rateLimitBucket.findUniqueOrThrow({ where: { key: `signin:address:${address}` } })).hits, 4, "the success did not count");
  });

  it("replaces a bcrypt hash with scrypt at the next successful sign-in", async () => {
    await prisma.user.update({ where: { email: "bob@example.com" }, data: { passwordHash: await bcrypt.hash("bob's old password", 4) } });
    assert.equal((await signIn("bob@example.com", "bob's old password", "192.0.2.50")).outcome, "signed-in");
    const { passwordHash } = await prisma.user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    assert.match(passwordHash ?? "", /^\$scrypt\$N=16,r=8,p=1\$/);
    assert.equal((await signIn("bob@example.com", "bob's old password", "192.0.2.50")).outcome, "signed-in", "the new hash checks the same password");
  });

  it("deletes buckets idle past forgetAfterSeconds that block nothing", async () => {
    await prisma.rateLimitBucket.create({ data: { key: "signin:address:stale", hits: 3, updatedAt: new Date(Date.now() - 2 * 3600_000) } });
    await prisma.rateLimitBucket.create({ data: { key: "signin:address:stale-but-blocked", hits: 3, updatedAt: new Date(Date.now() - 2 * 3600_000), blockedUntil: new Date(Date.now() + 600_000) } });
    assert.ok((await deleteStaleRateLimitBuckets(prisma, policy)) >= 1);
    assert.equal(await prisma.rateLimitBucket.count({ where: { key: "signin:address:stale" } }), 0);
    assert.equal(await prisma.rateLimitBucket.count({ where: { key: "signin:address:stale-but-blocked" } }), 1);
    assert.ok((await prisma.rateLimitBucket.count()) > 1, "fresh buckets stay");
  });
});
