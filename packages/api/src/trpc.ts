import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Role } from "@bailey/db";
import { requireRole, type TokenScope } from "@bailey/core";
import type { Context } from "./context";
import { formatError } from "./error-formatter";
import { mapProcedureError } from "./errors";
import { resolveTeamContext } from "./team-context";

/**
 * Every team procedure says which API-token scope may call it, or "session" when only a
 * signed-in person may (managing tokens, for one). The authorization test reads this.
 */
// A type, not an interface: trpc-to-openapi wants meta assignable to Record<string, unknown>.
export type ProcedureMeta = {
  /** "public": anyone (the credential is in the input, e.g. an invite token). */
  scope: TokenScope | "session" | "public";
  /**
   * Present: the procedure is also a REST operation under /api/v1, generated from this
   * meta and the procedure's own input and output schemas (see ./rest).
   */
  openapi?: NonNullable<OpenApiMeta["openapi"]>;
  /**
   * REST's 201: "always" for a POST that makes something, "unless-existing" when an
   * idempotent retry answers 200 with what the first call made (`output.created === false`).
   */
  restCreated?: "always" | "unless-existing";
  /**
   * REST only: a body of one of these content types (not JSON) arrives as text in this input
   * field, e.g. a YAML run spec. The operation shares its method and path with the JSON one.
   */
  restTextBody?: { contentTypes: readonly string[]; field: string };
};

/** The most calls one tRPC batch request may carry; the dashboard's client sends fewer. */
export const maxBatchSize = 20;

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({ transformer: superjson, errorFormatter: formatError });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw mapProcedureError(result.error);
  return result;
});

/**
 * Postgres cannot store NUL in text, and no field of Bailey's needs it: refused up front with
 * a clear 400 instead of failing deep in a query as a 500.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput())) throw new TRPCError({ code: "BAD_REQUEST", message: "Text may not contain NUL (\\u0000) characters." });
  return next();
});

export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 64 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes("\u0000") || containsNul(item, depth + 1));
}

export const publicProcedure = t.procedure.use(mapErrors).use(refuseNul);

/** A signed-in person, whether or not they belong to a team yet (accepting an invite). */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.token) throw new TRPCError({ code: "FORBIDDEN", message: "API tokens cannot do this; sign in to the dashboard instead." });
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Resolves the caller's team from their session or their API token; scopes are checked here. */
export const teamProcedure = publicProcedure.use(async ({ ctx, meta, path, next }) => {
  if (!meta?.scope || meta.scope === "public") throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `Procedure ${path} declares no token scope.` });
  return next({ ctx: { ...ctx, ...(await resolveTeamContext(ctx, meta.scope)) } });
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

/** The pooled host connections; a server that forgot to provide them fails loudly. */
export function requireConnections(ctx: Context) {
  if (!ctx.connections) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "This server was started without host connections." });
  return ctx.connections;
}
