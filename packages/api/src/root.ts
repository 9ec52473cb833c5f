import { auditRouter } from "./routers/audit";
import { hostsRouter } from "./routers/hosts";
import { meRouter } from "./routers/me";
import { runsRouter } from "./routers/runs";
import { tokensRouter } from "./routers/tokens";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  me: meRouter,
  runs: runsRouter,
  hosts: hostsRouter,
  tokens: tokensRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
