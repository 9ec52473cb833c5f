import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AppError, authenticateApiToken, createApiToken, defaultTokenLifetimeDays, hashToken, listApiTokens, requireScope, revokeApiToken, verifyAuditChain, type TeamContext } from "../src";

describe("API tokens", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let member: TeamContext;
  let viewer: TeamContext;
  let outsider: TeamContext;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx: member } = await createScratchTeam(prisma, { slug: "tokens-a", name: "A", email: "alice@t.test" }));
    ({ ctx: viewer } = await addScratchMember(prisma, member.teamId, { email: "victor@t.test", role: "viewer" }));
    ({ ctx: outsider } = await createScratchTeam(prisma, { slug: "tokens-b", name: "B", email: "otto@t.test", role: "owner" }));
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("shows the secret once, stores only its SHA-256, and authenticates with the creator's role and the scopes", async () => {
    const { token, apiToken } = await createApiToken({ prisma, ctx: member, name: "ci", scopes: ["runs:read", "runs:write"] });
    assert.match(token, /^bly_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    assert.equal(stored.secretHash, hashToken(token));
    const secret = token.slice("bly_".length + 12 + 1); // base64url may itself contain "_"
    assert.equal(secret.length, 43);
    assert.ok(!JSON.stringify(stored).includes(secret), "the secret itself is nowhere in the row");
    const auth = await authenticateApiToken({ prisma, token });
    assert.deepEqual(auth && { teamId: auth.teamId, role: auth.role, scopes: auth.scopes }, { teamId: member.teamId, role: "member", scopes: ["runs:read", "runs:write"] });
    assert.ok((await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt, "last use is recorded");
    assert.throws(() => requireScope(auth!, "audit:read"), /lacks the audit:read scope/);
  });

  it("expires in 90 days unless a lifetime is chosen, and never only when asked for by name", async () => {
    const before = Date.now();
    const byDefault = await createApiToken({ prisma, ctx: member, name: "default-lifetime", scopes: ["runs:read"] });
    const expires = byDefault.apiToken.expiresAt?.getTime() ?? 0;
    assert.ok(Math.abs(expires - (before + defaultTokenLifetimeDays * 86_400_000)) < 60_000, `expires 90 days from now, got ${byDefault.apiToken.expiresAt?.toISOString()}`);
    assert.equal(await authenticateApiToken({ prisma, token: byDefault.token, now: new Date(expires + 1000) }), null, "refused the day after");
    const forever = await createApiToken({ prisma, ctx: member, name: "forever", scopes: ["runs:read"], expiresAt: "never" });
    assert.equal(forever.apiToken.expiresAt, null);
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: member.teamId, action: "token.created", targetId: forever.apiToken.id } });
    assert.equal((audit.data as { expiresAt: string }).expiresAt, "never", "the audit says the token never expires");
  });

  it("refuses malformed, altered, expired and revoked tokens", async () => {
    const { token, apiToken } = await createApiToken({ prisma, ctx: member, name: "short", scopes: ["runs:read"], expiresAt: new Date(Date.now() + 60_000) });
    assert.equal(await authenticateApiToken({ prisma, token: "bly_nope" }), null);
    assert.equal(await authenticateApiToken({ prisma, token: `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}` }), null);
    assert.equal(await authenticateApiToken({ prisma, token, now: new Date(Date.now() + 120_000) }), null);
    await revokeApiToken({ prisma, ctx: member, tokenId: apiToken.id });
    assert.equal(await authenticateApiToken({ prisma, token }), null);
  });

  it("revoking answers without the secret's hash, and a member cannot revoke another member's token (an admin can)", async () => {
    const { ctx: otherMember } = await addScratchMember(prisma, member.teamId, { email: "bob@t.test", role: "member" });
    const { ctx: admin } = await addScratchMember(prisma, member.teamId, { email: "ada@t.test", role: "admin" });
    const { apiToken } = await createApiToken({ prisma, ctx: member, name: "alices", scopes: ["runs:read"] });
    await assert.rejects(revokeApiToken({ prisma, ctx: otherMember, tokenId: apiToken.id }), (error: AppError) => error.code === "FORBIDDEN" && /another member/.test(error.message));
    assert.equal((await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).revokedAt, null);
    const revoked = await revokeApiToken({ prisma, ctx: admin, tokenId: apiToken.id });
    assert.ok(revoked.revokedAt);
    assert.ok(!("secretHash" in revoked), "the hash is not in the answer");
    const again = await revokeApiToken({ prisma, ctx: member, tokenId: apiToken.id });
    assert.ok(!("secretHash" in again), "nor when it was revoked already");
  });

  it("validates input, keeps viewers out, and scopes every query by team", async () => {
    await assert.rejects(createApiToken({ prisma, ctx: member, name: "x", scopes: ["root"] }), /Choose scopes from runs:read/);
    await assert.rejects(createApiToken({ prisma, ctx: viewer, name: "x", scopes: ["runs:read"] }), (error: AppError) => error.code === "FORBIDDEN");
    const { apiToken } = await createApiToken({ prisma, ctx: member, name: "mine", scopes: ["hosts:read"] });
    await assert.rejects(revokeApiToken({ prisma, ctx: outsider, tokenId: apiToken.id }), (error: AppError) => error.code === "NOT_FOUND");
    assert.deepEqual(await listApiTokens({ prisma, ctx: outsider }), []);
    assert.ok((await listApiTokens({ prisma, ctx: member })).some((token) => token.id === apiToken.id));
    const audit = await verifyAuditChain({ prisma, teamId: member.teamId });
    assert.equal(audit.valid, true);
    const actions = (await prisma.auditEvent.findMany({ where: { teamId: member.teamId }, orderBy: { seq: "asc" } })).map((event) => event.action);
    assert.ok(actions.includes("token.created") && actions.includes("token.revoked"));
  });
});
