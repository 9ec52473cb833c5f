import type { PrismaClient, Role } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, hasRole, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";

export async function listMembers({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  const memberships = await prisma.membership.findMany({
    where: teamScope(ctx),
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  return memberships.map((membership) => ({ ...membership, isYou: membership.user.id === ctx.actor.userId }));
}

async function findMembership(prisma: PrismaClient, ctx: TeamContext, membershipId: string) {
  const membership = await prisma.membership.findFirst({ where: teamScope(ctx, { id: membershipId }), include: { user: { select: { email: true } } } });
  if (!membership) throw AppError.notFound("Member");
  return membership;
}

/** Only an owner touches owners; a team never loses its last owner. */
function assertMayChange(ctx: TeamContext, current: Role, next?: Role): void {
  requireRole(ctx, "admin");
  if ((current === "owner" || next === "owner") && !hasRole(ctx.role, "owner")) throw new AppError("FORBIDDEN", "Only an owner can make or change owners.");
}

async function assertNotLastOwner(prisma: PrismaClient, teamId: string, current: Role, what: string): Promise<void> {
  if (current !== "owner") return;
  if ((await prisma.membership.count({ where: { teamId, role: "owner" } })) <= 1) throw new AppError("CONFLICT", `The team's last owner cannot ${what}; make someone else owner first.`);
}

export async function changeMemberRole({ prisma, ctx, membershipId, role }: { prisma: PrismaClient; ctx: TeamContext; membershipId: string; role: Role }) {
  const membership = await findMembership(prisma, ctx, membershipId);
  assertMayChange(ctx, membership.role, role);
  if (role !== "owner") await assertNotLastOwner(prisma, ctx.teamId, membership.role, "be demoted");
  return prisma.$transaction(async (tx) => {
    const updated = await tx.membership.update({ where: { id: membership.id }, data: { role } });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "member.role_changed",
      targetType: "user",
      targetId: membership.userId,
      data: { email: membership.user.email, from: membership.role, to: role },
    });
    return updated;
  });
}

export async function removeMember({ prisma, ctx, membershipId }: { prisma: PrismaClient; ctx: TeamContext; membershipId: string }) {
  const membership = await findMembership(prisma, ctx, membershipId);
  if (membership.userId !== ctx.actor.userId) assertMayChange(ctx, membership.role);
  await assertNotLastOwner(prisma, ctx.teamId, membership.role, membership.userId === ctx.actor.userId ? "leave" : "be removed");
  await prisma.$transaction(async (tx) => {
    await tx.membership.delete({ where: { id: membership.id } });
    // The removed member's tokens act with their role; without a membership they stop working.
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: membership.userId === ctx.actor.userId ? "member.left" : "member.removed",
      targetType: "user",
      targetId: membership.userId,
      data: { email: membership.user.email, role: membership.role },
    });
  });
  return { removed: membership.id };
}
