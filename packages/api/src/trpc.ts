import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Role } from "@bailey/db";
import { hasRole } from "@bailey/core";
import type { Context } from "./context";
import { toTRPCError } from "./errors";

const t = initTRPC.context<Context>().create({ transformer: superjson });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause ?? result.error);
    if (mapped instanceof TRPCError) throw mapped;
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Resolves the caller's team; a user with no membership can do nothing team-scoped. */
export const teamProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const membership = await ctx.prisma.membership.findFirst({
    where: { userId: ctx.user.id },
    orderBy: { createdAt: "asc" },
    include: { team: { select: { id: true, name: true } } },
  });
  if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any team; ask a team admin for an invite." });
  return next({
    ctx: {
      ...ctx,
      team: { id: membership.team.id, name: membership.team.name, role: membership.role },
      teamContext: { teamId: membership.team.id, role: membership.role, actor: { type: "user" as const, userId: ctx.user.id } },
    },
  });
});

/** Procedures that change a team's state: the role is checked here, not in each procedure. */
export const roleProcedure = (atLeast: Role) =>
  teamProcedure.use(({ ctx, next }) => {
    if (!hasRole(ctx.team.role, atLeast)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${atLeast} role or higher; you are a ${ctx.team.role}.` });
    }
    return next();
  });
