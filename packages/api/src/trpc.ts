import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Role } from "@bailey/db";
import { requireRole, resolveMembership, type TeamContext } from "@bailey/core";
import type { Context } from "./context";
import { formatError } from "./error-formatter";
import { mapProcedureError } from "./errors";

const t = initTRPC.context<Context>().create({ transformer: superjson, errorFormatter: formatError });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw mapProcedureError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Resolves the caller's team; a user with no membership can do nothing team-scoped. */
export const teamProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const membership = await resolveMembership({ prisma: ctx.prisma, userId: ctx.user.id, teamId: ctx.teamId });
  if (!membership) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: ctx.teamId
        ? "You are not a member of the team you chose; pick one of your own teams."
        : "You are not a member of any team; ask a team admin for an invite.",
    });
  }
  const teamContext: TeamContext = { teamId: membership.team.id, role: membership.role, actor: { type: "user", userId: ctx.user.id } };
  return next({ ctx: { ...ctx, team: { ...membership.team, role: membership.role }, teamContext } });
});

/** Procedures that need a minimum role: checked here, not in each procedure. */
export const roleProcedure = (atLeast: Role) =>
  teamProcedure.use(({ ctx, next }) => {
    requireRole(ctx.teamContext, atLeast);
    return next();
  });

/** Changes to a team's runs, hosts and tokens: viewers may only look. */
export const writerProcedure = roleProcedure("member");
export const adminProcedure = roleProcedure("admin");
