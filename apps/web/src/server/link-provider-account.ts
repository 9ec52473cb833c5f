import type { Account } from "next-auth";
import type { PrismaClient } from "@bailey/db";

/**
 * GitHub/OIDC sign-in admits only people Bailey already knows: the provider account is
 * linked to the existing user with the same email address. Nobody signs up by logging in.
 */
export async function linkProviderAccount({
  prisma,
  email,
  account,
}: {
  prisma: PrismaClient;
  email: string | null | undefined;
  account: Account;
}): Promise<boolean> {
  if (!email) return false;
  const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) return false;
  await prisma.account.upsert({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    update: { userId: user.id },
    create: { userId: user.id, type: account.type, provider: account.provider, providerAccountId: account.providerAccountId },
  });
  return true;
}
