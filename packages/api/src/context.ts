import type { PrismaClient } from "@bailey/db";

export interface SessionUser {
  id: string;
  email: string;
}

/** What every procedure starts from; the route handler builds it per request. */
export interface Context {
  prisma: PrismaClient;
  user: SessionUser | null;
  /** The team the caller chose to act in; when absent, the team they joined first. */
  teamId?: string | null;
}
