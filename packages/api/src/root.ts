import { meRouter } from "./routers/me";
import { runsRouter } from "./routers/runs";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  me: meRouter,
  runs: runsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
