import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { AppError, authenticateCredentials, ensureOwnerAccount, verifyPassword } from "../src";

describe("ensureOwnerAccount", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("creates exactly one owner, team and membership even when called concurrently", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureOwnerAccount({ prisma, email: "Owner@Example.com", password: "first-password" })));
    assert.equal(results.filter((result) => result.created).length, 1);
    assert.ok(results.every((result) => result.email === "owner@example.com"));
    assert.equal(await prisma.user.count(), 1);
    const membership = await prisma.membership.findFirstOrThrow({ include: { team: true } });
    assert.equal(membership.role, "owner");
    assert.equal(membership.team.slug, "default");
    assert.ok((await prisma.user.findUniqueOrThrow({ where: { email: "owner@example.com" } })).emailVerified, "the operator-configured owner email counts as verified");
  });

  it("never resets an existing owner's password", async () => {
    const again = await ensureOwnerAccount({ prisma, email: "someone@else.com", password: "second-password" });
    assert.deepEqual(again, { created: false, email: "owner@example.com" });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: "owner@example.com" } });
    assert.equal(await verifyPassword("first-password", user.passwordHash ?? ""), true);
  });

  it("signs in with the right password only", async () => {
    const signIn = (email: string, password: string) => authenticateCredentials({ prisma, email, password, address: "192.0.2.1", log: () => undefined });
    const signedIn = await signIn("OWNER@example.com", "first-password");
    assert.equal(signedIn.outcome === "signed-in" && signedIn.user.email, "owner@example.com");
    assert.deepEqual(await signIn("owner@example.com", "wrong"), { outcome: "refused" });
    assert.deepEqual(await signIn("nobody@example.com", "first-password"), { outcome: "refused" });
  });

  it("refuses a malformed email or a weak password before touching the database", async () => {
    const badRequest = (pattern: RegExp) => (error: unknown) => error instanceof AppError && error.code === "BAD_REQUEST" && pattern.test(error.message);
    await assert.rejects(ensureOwnerAccount({ prisma, email: "not-an-email", password: "long-enough-password" }), badRequest(/not an email address/));
    await assert.rejects(ensureOwnerAccount({ prisma, email: "owner@example.com", password: "" }), badRequest(/at least 8/));
    await assert.rejects(ensureOwnerAccount({ prisma, email: "owner@example.com", password: "short" }), badRequest(/at least 8/));
  });

  it("generates a strong password when none is given", async () => {
    const fresh = await createScratchDatabase();
    await migrateDatabase(fresh.url);
    const other = createPrismaClient(fresh.url);
    try {
      const result = await ensureOwnerAccount({ prisma: other, email: "admin@bailey.local" });
      assert.equal(result.created, true);
      assert.ok(result.generatedPassword && result.generatedPassword.length >= 16);
      assert.equal((await authenticateCredentials({ prisma: other, email: "admin@bailey.local", password: result.generatedPassword, address: "192.0.2.1" })).outcome, "signed-in");
    } finally {
      await other.$disconnect();
      await fresh.drop();
    }
  });
});
