import type { PrismaClient } from "@bailey/db";
import { isUniqueViolation } from "../unique-violation";

export interface ProviderAccount {
  /** next-auth's provider id: "github", "oidc", … */
  provider: string;
  providerAccountId: string;
  /** next-auth's account type, e.g. "oauth". */
  type: string;
}

export type ProviderSignIn = { admitted: true; userId: string } | { admitted: false; reason: "not-invited" | "no-verified-email" | "unverified-account" };

/**
 * GitHub/OIDC sign-in admits only people Bailey already knows. An account linked before
 * signs in as its user; otherwise it is linked to the team member whose email the provider
 * has verified, if Bailey knows that member's email to be theirs too (User.emailVerified): an
 * invite sign-up proves nothing about its email, and linking to it would let whoever signed up
 * with someone else's address take over that person's provider sign-in. Nobody signs up by
 * logging in, and a link, once made, is never moved to another user (an email changed at the
 * provider must not hand over someone else's account).
 */
export async function linkProviderAccount({ prisma, account, verifiedEmails }: { prisma: PrismaClient; account: ProviderAccount; verifiedEmails: readonly string[] }): Promise<ProviderSignIn> {
  const linked = await findLinkedUser(prisma, account);
  if (linked) return linked.isMember ? { admitted: true, userId: linked.userId } : { admitted: false, reason: "not-invited" };

  const emails = verifiedEmails.map((email) => email.trim().toLowerCase()).filter(Boolean);
  if (emails.length === 0) return { admitted: false, reason: "no-verified-email" };
  const member = await prisma.user.findFirst({
    where: { email: { in: emails }, memberships: { some: {} } },
    select: { id: true, emailVerified: true },
  });
  if (!member) return { admitted: false, reason: "not-invited" };
  if (!member.emailVerified) return { admitted: false, reason: "unverified-account" };

  try {
    await prisma.account.create({
      data: { userId: member.id, type: account.type, provider: account.provider, providerAccountId: account.providerAccountId },
    });
  } catch (error) {
    // Two first sign-ins at once: whichever link won decides.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findLinkedUser(prisma, account);
    return winner?.isMember ? { admitted: true, userId: winner.userId } : { admitted: false, reason: "not-invited" };
  }
  return { admitted: true, userId: member.id };
}

/** The Bailey user a provider account signs in as, if it was linked before. */
export async function findUserIdByProviderAccount({ prisma, provider, providerAccountId }: { prisma: PrismaClient; provider: string; providerAccountId: string }): Promise<string | null> {
  const linked = await prisma.account.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    select: { userId: true },
  });
  return linked?.userId ?? null;
}

async function findLinkedUser(prisma: PrismaClient, account: ProviderAccount) {
  const linked = await prisma.account.findUnique({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    select: { userId: true, user: { select: { _count: { select: { memberships: true } } } } },
  });
  return linked ? { userId: linked.userId, isMember: linked.user._count.memberships > 0 } : null;
}
