import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@bailey/db";
import { assertAcceptablePassword, hashPassword } from "../auth/password";
import { AppError } from "../errors";
import { isUniqueViolation } from "../unique-violation";

export interface EnsureOwnerResult {
  created: boolean;
  email: string;
  /** Set only when this call created the owner without a given password. */
  generatedPassword?: string;
}

export interface EnsureOwnerOptions {
  prisma: PrismaClient;
  email: string;
  password?: string;
  /** scrypt cost (log2 N); tests lower it. */
  passwordCost?: number;
}

// Any fixed number works; it only has to be the same in every process bootstrapping one database.
const bootstrapLockKey = 4242001;

/**
 * On an empty database: the owner account, the default team and the owner's membership,
 * in one transaction. With any user present it does nothing, and never resets a password.
 */
export async function ensureOwnerAccount({ prisma, email, password, passwordCost }: EnsureOwnerOptions): Promise<EnsureOwnerResult> {
  const ownerEmail = normalizeOwnerEmail(email);
  if (password !== undefined) assertAcceptablePassword(password);

  const existing = await findOwnerEmail(prisma);
  if (existing) {
    await markOperatorEmailVerified(prisma, ownerEmail);
    return { created: false, email: existing };
  }

  const generatedPassword = password === undefined ? randomBytes(15).toString("base64url") : undefined;
  const passwordHash = await hashPassword(password ?? generatedPassword ?? "", passwordCost);
  try {
    const created = await prisma.$transaction(async (tx) => {
      // Serializes concurrent first starts against one database.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${bootstrapLockKey})`;
      if (await tx.user.count()) return false;
      // The operator chose this address (BAILEY_ADMIN_EMAIL): it counts as verified, so the owner may link GitHub/OIDC.
      const user = await tx.user.create({ data: { email: ownerEmail, name: "Owner", passwordHash, emailVerified: new Date() } });
      const team = await tx.team.create({ data: { slug: "default", name: "Default" } });
      await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: "owner" } });
      return true;
    });
    if (created) return { created: true, email: ownerEmail, generatedPassword };
  } catch (error) {
    // Another process that does not take the lock (an older version, a seed) got there first.
    if (!isUniqueViolation(error)) throw error;
  }
  return { created: false, email: (await findOwnerEmail(prisma)) ?? ownerEmail };
}

/** An owner bootstrapped before emails were tracked: the operator's configured address is theirs. */
async function markOperatorEmailVerified(prisma: PrismaClient, ownerEmail: string): Promise<void> {
  await prisma.user.updateMany({ where: { email: ownerEmail, emailVerified: null, memberships: { some: { role: "owner" } } }, data: { emailVerified: new Date() } });
}

function normalizeOwnerEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!z.email().safeParse(normalized).success) {
    throw new AppError("BAD_REQUEST", `The owner's email ${JSON.stringify(email)} is not an email address. Example: admin@example.com`);
  }
  return normalized;
}

async function findOwnerEmail(prisma: PrismaClient): Promise<string | null> {
  const owner = await prisma.membership.findFirst({
    where: { role: "owner" },
    orderBy: { createdAt: "asc" },
    select: { user: { select: { email: true } } },
  });
  if (owner) return owner.user.email;
  const anyUser = await prisma.user.findFirst({ orderBy: { createdAt: "asc" }, select: { email: true } });
  return anyUser?.email ?? null;
}
