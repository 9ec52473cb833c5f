import type { PrismaClient, Role } from "@bailey/db";

export interface ActiveMembership {
  team: { id: string; name: string; slug: string };
  role: Role;
}

/**
 * The team a signed-in user is acting in: the one they chose, or else the team they
 * joined first. Null when they chose a team they are not in, or belong to none.
 */
export async function resolveMembership({ prisma, userId, teamId }: { prisma: PrismaClient; userId: string; teamId?: string | null }): Promise<ActiveMembership | null> {
  const membership = await prisma.membership.findFirst({
    where: { userId, ...(teamId ? { teamId } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { role: true, team: { select: { id: true, name: true, slug: true } } },
  });
  return membership;
}
