import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { findUserIdByProviderAccount, linkProviderAccount } from "../src";

describe("linkProviderAccount (GitHub/OIDC sign-in)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let memberId = "";
  let otherMemberId = "";
  let unverifiedMemberId = "";
  const github = (providerAccountId: string) => ({ provider: "github", providerAccountId, type: "oauth" });

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const link = await createScratchTeam(prisma, { slug: "link", name: "Link", email: "member@example.com" });
    memberId = link.user.id;
    otherMemberId = (await addScratchMember(prisma, link.team.id, { email: "other@example.com", role: "viewer" })).user.id;
    await prisma.user.create({ data: { email: "loner@example.com" } });
    // Members whose email Bailey knows to be theirs; an invite sign-up's is not (below).
    await prisma.user.updateMany({ where: { id: { in: [memberId, otherMemberId] } }, data: { emailVerified: new Date() } });
    unverifiedMemberId = (await addScratchMember(prisma, link.team.id, { email: "signed-up@example.com", role: "member" })).user.id;
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("links a first sign-in to the team member with that verified email, whatever its case", async () => {
    const outcome = await linkProviderAccount({ prisma, account: github("gh-1"), verifiedEmails: ["nobody@example.com", "Member@Example.com"] });
    assert.deepEqual(outcome, { admitted: true, userId: memberId });
    assert.equal(await findUserIdByProviderAccount({ prisma, provider: "github", providerAccountId: "gh-1" }), memberId);
  });

  it("never links to a member whose email was never verified, e.g. one who signed up through an invite", async () => {
    const outcome = await linkProviderAccount({ prisma, account: github("gh-victim"), verifiedEmails: ["signed-up@example.com"] });
    assert.deepEqual(outcome, { admitted: false, reason: "unverified-account" });
    assert.equal(await prisma.account.count({ where: { userId: unverifiedMemberId } }), 0);
    assert.equal((await prisma.user.findUniqueOrThrow({ where: { id: unverifiedMemberId } })).emailVerified, null, "the provider's word does not verify it either");
  });

  it("keeps a link on its user even when the provider later reports another member's email", async () => {
    const outcome = await linkProviderAccount({ prisma, account: github("gh-1"), verifiedEmails: ["other@example.com"] });
    assert.deepEqual(outcome, { admitted: true, userId: memberId });
    assert.equal(await prisma.account.count(), 1);
  });

  it("refuses strangers and users who belong to no team", async () => {
    assert.deepEqual(await linkProviderAccount({ prisma, account: github("gh-2"), verifiedEmails: ["stranger@example.com"] }), { admitted: false, reason: "not-invited" });
    assert.deepEqual(await linkProviderAccount({ prisma, account: github("gh-3"), verifiedEmails: ["loner@example.com"] }), { admitted: false, reason: "not-invited" });
    assert.equal(await prisma.user.count({ where: { email: "stranger@example.com" } }), 0, "signing in never signs up");
  });

  it("refuses a sign-in without a verified email", async () => {
    assert.deepEqual(await linkProviderAccount({ prisma, account: github("gh-4"), verifiedEmails: [] }), { admitted: false, reason: "no-verified-email" });
  });

  it("links once when the same first sign-in arrives twice at once", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => linkProviderAccount({ prisma, account: { provider: "oidc", providerAccountId: "sub-9", type: "oauth" }, verifiedEmails: ["other@example.com"] })),
    );
    assert.ok(outcomes.every((outcome) => outcome.admitted && outcome.userId === otherMemberId));
    assert.equal(await prisma.account.count({ where: { provider: "oidc" } }), 1);
  });
});
