import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@bailey/db";
import { hashPassword } from "../auth/password";

export interface EnsureOwnerResult {
  created: boolean;
  email: string;
  /** Set only when this call created the owner without a given password. */
  generatedPassword?: string;
}

/**
 * On an empty database: the owner account, the default team and the owner's membership,
 * in one transaction. With any user present it does nothing, and never resets a password.
 */
export async function ensureOwnerAccount({
  prisma,
  email,
  password,
}: {
  prisma: PrismaClient;
  email: string;
  password?: string;
}): Promise<EnsureOwnerResult> {
  const existing = await findOwnerEmail(prisma);
  if (existing) return { created: false, email: existing };

  const generatedPassword = password ? undefined : randomBytes(15).toString("base64url");
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  const normalizedEmail = email.trim().toLowerCase();
  try {
    await prisma.$transaction(async (tx) => {
      // Serializes concurrent first starts against one database.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
      if (await tx.user.count()) throw new OwnerAlreadyExists();
      const user = await tx.user.create({ data: { email: normalizedEmail, name: "Owner", passwordHash } });
      const team = await tx.team.create({ data: { slug: "default", name: "Default" } });
      await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: "owner" } });
    });
  } catch (error) {
    if (error instanceof OwnerAlreadyExists) return { created: false, email: (await findOwnerEmail(prisma)) ?? normalizedEmail };
    throw error;
  }
  return { created: true, email: normalizedEmail, generatedPassword };
}

class OwnerAlreadyExists extends Error {}

async function findOwnerEmail(prisma: PrismaClient): Promise<string | null> {
  const owner = await prisma.membership.findFirst({
    where: { role: "owner" },
    orderBy: { createdAt: "asc" },
    include: { user: { select: { email: true } } },
  });
  if (owner) return owner.user.email;
  const anyUser = await prisma.user.findFirst({ orderBy: { createdAt: "asc" }, select: { email: true } });
  return anyUser?.email ?? null;
}
