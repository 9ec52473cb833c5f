export { appRouter, createCaller, type AppRouter } from "./root";
export type { Context, SessionUser } from "./context";
export { restErrorResponse, toAppError, toTRPCError, trpcResponseMeta } from "./errors";
export { resolveTeamContext, type ResolvedTeam } from "./team-context";
export { maxBatchSize } from "./trpc";
export * from "./rest";
