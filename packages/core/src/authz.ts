import type { Role } from "@bailey/db";
import { AppError } from "./errors";

/** Who is acting, within which team: every team-owned query is built from this. */
export interface TeamContext {
  teamId: string;
  role: Role;
  actor: { type: "user"; userId: string } | { type: "token"; tokenId: string; userId: string };
}

/** The one place a team-owned row's `where` is scoped. */
export function teamScope<T extends object>(ctx: Pick<TeamContext, "teamId">, where?: T): T & { teamId: string } {
  return { ...(where ?? ({} as T)), teamId: ctx.teamId };
}

const roleRank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function hasRole(role: Role, atLeast: Role): boolean {
  return roleRank[role] >= roleRank[atLeast];
}

export const canWrite = (role: Role) => hasRole(role, "member");
export const isAdmin = (role: Role) => hasRole(role, "admin");

export function requireRole(ctx: Pick<TeamContext, "role">, atLeast: Role): void {
  if (!hasRole(ctx.role, atLeast)) {
    throw new AppError("FORBIDDEN", `This needs the ${atLeast} role or higher; you are ${ctx.role === "admin" ? "an" : "a"} ${ctx.role}.`);
  }
}

/** Who an audit event names: the token itself when a token acted. */
export function auditActor(ctx: Pick<TeamContext, "actor">): { actorType: "user" | "token"; actorId: string } {
  return ctx.actor.type === "token" ? { actorType: "token", actorId: ctx.actor.tokenId } : { actorType: "user", actorId: ctx.actor.userId };
}
