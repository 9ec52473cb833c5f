import { AppError, requireScope, resolveMembership, type TeamContext, type TokenScope } from "@bailey/core";
import type { Role } from "@bailey/db";
import type { Context } from "./context";

export interface ResolvedTeam {
  team: { id: string; name: string; slug: string; role: Role };
  teamContext: TeamContext;
}

/**
 * The caller's team, from their API token (checked against the scope the operation declares)
 * or their session: the one place tRPC procedures and the streaming REST routes get it from.
 */
export async function resolveTeamContext(ctx: Context, scope: TokenScope | "session"): Promise<ResolvedTeam> {
  if (ctx.token) {
    if (scope === "session") throw new AppError("FORBIDDEN", "API tokens cannot do this; sign in to the dashboard instead.");
    requireScope(ctx.token, scope);
    const team = ctx.token.team;
    return { team: { ...team, role: ctx.token.role }, teamContext: { teamId: team.id, role: ctx.token.role, actor: { type: "token", tokenId: ctx.token.tokenId, userId: ctx.token.userId } } };
  }
  if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in first, or send an API token: Authorization: Bearer bly_...");
  const membership = await resolveMembership({ prisma: ctx.prisma, userId: ctx.user.id, teamId: ctx.teamId });
  if (!membership) {
    throw new AppError("FORBIDDEN", ctx.teamId ? "You are not a member of the team you chose; pick one of your own teams." : "You are not a member of any team; ask a team admin for an invite.");
  }
  return { team: { ...membership.team, role: membership.role }, teamContext: { teamId: membership.team.id, role: membership.role, actor: { type: "user", userId: ctx.user.id } } };
}
