export { appRouter, createCaller, type AppRouter } from "./root";
export type { Context, SessionUser } from "./context";
export { toTRPCError } from "./errors";
