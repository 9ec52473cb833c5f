import type { PrismaClient } from "@bailey/db";
import { hashPassword, verifyPassword } from "./password";

// Compared against when the email is unknown, so both paths cost one bcrypt compare
// and response time does not reveal which emails have accounts.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword("bailey-decoy-password"));

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string | null;
}

export async function authenticateCredentials({ prisma, email, password }: { prisma: PrismaClient; email: string; password: string }): Promise<AuthenticatedUser | null> {
  const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoy()));
  if (!user?.passwordHash || !matches) return null;
  return { id: user.id, email: user.email, name: user.name };
}
