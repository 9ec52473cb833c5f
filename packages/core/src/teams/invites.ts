import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Role } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { assertAcceptablePassword, hashPassword } from "../auth/password";
import { auditActor, hasRole, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";

const invitePattern = /^blyi_[A-Za-z0-9_-]{43}$/;
const hashInvite = (token: string) => createHash("sha256").update(token).digest("hex");
const unusable = () => new AppError("NOT_FOUND", "This invite link is unknown, already used, revoked or expired; ask a team admin for a new one.");

/** An invite link anyone holding it may use once, to join with the given role. */
export async function createInvite({ prisma, ctx, role, expiresInDays = 7 }: { prisma: PrismaClient; ctx: TeamContext; role: Role; expiresInDays?: number }) {
  requireRole(ctx, "admin");
  if (role === "owner" && !hasRole(ctx.role, "owner")) throw new AppError("FORBIDDEN", "Only an owner can invite owners.");
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 30) throw new AppError("BAD_REQUEST", "An invite lasts 1 to 30 days.");
  const token = `blyi_${randomBytes(32).toString("base64url")}`;
  const invite = await prisma.$transaction(async (tx) => {
    const created = await tx.teamInvite.create({
      data: { teamId: ctx.teamId, role, tokenHash: hashInvite(token), createdById: ctx.actor.userId, expiresAt: new Date(Date.now() + expiresInDays * 86_400_000) },
      select: { id: true, role: true, expiresAt: true },
    });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "invite.created", targetType: "invite", targetId: created.id, data: { role } });
    return created;
  });
  return { invite, token, path: `/invite/${token}` };
}

export function listInvites({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  requireRole(ctx, "admin");
  return prisma.teamInvite.findMany({
    where: teamScope(ctx, { acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }),
    orderBy: { createdAt: "desc" },
    select: { id: true, role: true, expiresAt: true, createdAt: true },
  });
}

export async function revokeInvite({ prisma, ctx, inviteId }: { prisma: PrismaClient; ctx: TeamContext; inviteId: string }) {
  requireRole(ctx, "admin");
  const { count } = await prisma.teamInvite.updateMany({ where: teamScope(ctx, { id: inviteId, revokedAt: null, acceptedAt: null }), data: { revokedAt: new Date() } });
  if (!count) throw AppError.notFound("Invite");
  return { revoked: inviteId };
}

async function usableInvite(prisma: PrismaClient, token: string) {
  if (!invitePattern.test(token)) throw unusable();
  const invite = await prisma.teamInvite.findUnique({ where: { tokenHash: hashInvite(token) }, include: { team: { select: { id: true, name: true } } } });
  if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt <= new Date()) throw unusable();
  return invite;
}

/** What the invite page shows before anyone accepts. */
export async function previewInvite({ prisma, token }: { prisma: PrismaClient; token: string }) {
  const invite = await usableInvite(prisma, token);
  return { teamName: invite.team.name, role: invite.role, expiresAt: invite.expiresAt };
}

/**
 * Joins with the invite: a signed-in user (userId), or a new account made from email and
 * password. The invite is claimed by compare-and-set, so a link works exactly once.
 */
export async function acceptInvite({ prisma, token, userId, newAccount }: { prisma: PrismaClient; token: string; userId?: string; newAccount?: { email: string; name?: string; password: string } }) {
  const invite = await usableInvite(prisma, token);
  let passwordHash: string | undefined;
  let email: string | undefined;
  if (!userId) {
    if (!newAccount) throw new AppError("UNAUTHORIZED", "Sign in, or give an email and a password for a new account.");
    email = newAccount.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new AppError("BAD_REQUEST", "Enter a valid email address.", { fields: [{ field: "email", message: "Enter a valid email address." }] });
    try {
      assertAcceptablePassword(newAccount.password);
    } catch (error) {
      throw new AppError("BAD_REQUEST", (error as Error).message, { fields: [{ field: "password", message: (error as Error).message }] });
    }
    if (await prisma.user.findUnique({ where: { email } }))
      throw new AppError("CONFLICT", "An account with this email exists: sign in first, then open the invite link again.", {
        fields: [{ field: "email", message: "This email has an account: sign in first." }],
      });
    passwordHash = await hashPassword(newAccount.password);
  }
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.teamInvite.updateMany({ where: { id: invite.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, data: { acceptedAt: new Date() } });
    if (claimed.count !== 1) throw unusable();
    const user = userId
      ? await tx.user.findUniqueOrThrow({ where: { id: userId } })
      : // emailVerified stays null: nothing proved the address is theirs, so GitHub/OIDC never links to this account.
        await tx.user.create({ data: { email: email!, name: newAccount?.name?.trim() || null, passwordHash: passwordHash! } });
    await tx.teamInvite.update({ where: { id: invite.id }, data: { acceptedById: user.id } });
    const existing = await tx.membership.findUnique({ where: { teamId_userId: { teamId: invite.teamId, userId: user.id } } });
    if (!existing) await tx.membership.create({ data: { teamId: invite.teamId, userId: user.id, role: invite.role } });
    await appendAuditEvent(tx, {
      teamId: invite.teamId,
      actorType: "user",
      actorId: user.id,
      action: "invite.accepted",
      targetType: "invite",
      targetId: invite.id,
      data: { email: user.email, role: invite.role, alreadyMember: Boolean(existing) },
    });
    return { teamId: invite.teamId, teamName: invite.team.name, email: user.email, role: existing?.role ?? invite.role };
  });
}
