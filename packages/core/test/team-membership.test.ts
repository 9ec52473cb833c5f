import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { acceptInvite, AppError, changeMemberRole, createInvite, listMembers, previewInvite, removeMember, revokeInvite, verifyAuditChain, verifyPassword, type TeamContext } from "../src";

const code = (expected: string, message?: RegExp) => (error: unknown) => error instanceof AppError && error.code === expected && (!message || message.test(error.message));

describe("team members and invite links", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let owner: TeamContext;
  let admin: TeamContext;
  let teamId = "";

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const crew = await createScratchTeam(prisma, { slug: "crew", name: "Crew", email: "owner@crew.test", role: "owner" });
    teamId = crew.team.id;
    owner = crew.ctx;
    ({ ctx: admin } = await addScratchMember(prisma, teamId, { email: "admin@crew.test", role: "admin" }));
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("an invite link makes one new account a member with the invited role, once", async () => {
    const { token, path } = await createInvite({ prisma, ctx: admin, role: "viewer" });
    assert.equal(path, `/invite/${token}`);
    assert.deepEqual((await previewInvite({ prisma, token })).teamName, "Crew");
    await assert.rejects(acceptInvite({ prisma, token, newAccount: { email: "not-an-email", password: "long enough password" } }), code("BAD_REQUEST", /valid email/));
    await assert.rejects(acceptInvite({ prisma, token, newAccount: { email: "new@crew.test", password: "short" } }), code("BAD_REQUEST"));
    await assert.rejects(acceptInvite({ prisma, token, newAccount: { email: "owner@crew.test", password: "long enough password" } }), code("CONFLICT", /sign in first/));
    const joined = await Promise.allSettled([
      acceptInvite({ prisma, token, newAccount: { email: "New@Crew.test", name: "New", password: "long enough password" } }),
      acceptInvite({ prisma, token, newAccount: { email: "other@crew.test", password: "long enough password" } }),
    ]);
    assert.equal(joined.filter((result) => result.status === "fulfilled").length, 1, "the link works once");
    const members = await listMembers({ prisma, ctx: owner });
    const newcomer = members.find((member) => member.user.email === "new@crew.test" || member.user.email === "other@crew.test");
    assert.equal(newcomer?.role, "viewer");
    const user = await prisma.user.findUniqueOrThrow({ where: { email: newcomer!.user.email } });
    assert.ok(await verifyPassword("long enough password", user.passwordHash!), "the new account signs in with its password");
    assert.match(user.passwordHash!, /^\$scrypt\$/, "invite sign-ups get scrypt hashes");
    assert.equal(user.emailVerified, null, "an invite sign-up proves nothing about its email");
    await assert.rejects(previewInvite({ prisma, token }), code("NOT_FOUND", /already used/));
  });

  it("an admin cannot make owners or touch them; the last owner can neither leave nor be demoted", async () => {
    await assert.rejects(createInvite({ prisma, ctx: admin, role: "owner" }), code("FORBIDDEN", /Only an owner/));
    const members = await listMembers({ prisma, ctx: owner });
    const ownerMembership = members.find((member) => member.role === "owner")!;
    const adminMembership = members.find((member) => member.role === "admin")!;
    await assert.rejects(changeMemberRole({ prisma, ctx: admin, membershipId: ownerMembership.id, role: "member" }), code("FORBIDDEN"));
    await assert.rejects(changeMemberRole({ prisma, ctx: owner, membershipId: ownerMembership.id, role: "admin" }), code("CONFLICT", /last owner/));
    await assert.rejects(removeMember({ prisma, ctx: owner, membershipId: ownerMembership.id }), code("CONFLICT", /cannot leave/));
    await changeMemberRole({ prisma, ctx: owner, membershipId: adminMembership.id, role: "member" });
    await assert.rejects(createInvite({ prisma, ctx: { ...admin, role: "member" }, role: "viewer" }), code("FORBIDDEN"));
  });

  it("a member leaves or is removed, a revoked link stops working, and all of it is audited", async () => {
    const viewer = (await listMembers({ prisma, ctx: owner })).find((member) => member.role === "viewer")!;
    const viewerCtx: TeamContext = { teamId, role: "viewer", actor: { type: "user", userId: viewer.user.id } };
    await assert.rejects(removeMember({ prisma, ctx: viewerCtx, membershipId: (await listMembers({ prisma, ctx: owner })).find((member) => member.role === "owner")!.id }), code("FORBIDDEN"));
    await removeMember({ prisma, ctx: viewerCtx, membershipId: viewer.id });
    assert.equal(
      (await listMembers({ prisma, ctx: owner })).some((member) => member.id === viewer.id),
      false,
    );
    const { invite, token } = await createInvite({ prisma, ctx: owner, role: "member" });
    await revokeInvite({ prisma, ctx: owner, inviteId: invite.id });
    await assert.rejects(acceptInvite({ prisma, token, userId: viewer.user.id }), code("NOT_FOUND"));
    const actions = (await prisma.auditEvent.findMany({ where: { teamId }, orderBy: { seq: "asc" } })).map((event) => event.action);
    for (const action of ["invite.created", "invite.accepted", "member.role_changed", "member.left"]) assert.ok(actions.includes(action), `${action} in ${actions.join(", ")}`);
    assert.equal((await verifyAuditChain({ prisma, teamId })).valid, true);
  });
});
