import { auditRouter } from "./routers/audit";
import { buildContextsRouter } from "./routers/build-contexts";
import { grantsRouter } from "./routers/grants";
import { hostsRouter } from "./routers/hosts";
import { invitesRouter } from "./routers/invites";
import { meRouter } from "./routers/me";
import { overviewRouter } from "./routers/overview";
import { poolsRouter } from "./routers/pools";
import { registriesRouter } from "./routers/registries";
import { secretsRouter } from "./routers/secrets";
import { runsRouter } from "./routers/runs";
import { teamRouter } from "./routers/team";
import { tokensRouter } from "./routers/tokens";
import { webhooksRouter } from "./routers/webhooks";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  me: meRouter,
  runs: runsRouter,
  hosts: hostsRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  team: teamRouter,
  invites: invitesRouter,
  registries: registriesRouter,
  secrets: secretsRouter,
  grants: grantsRouter,
  buildContexts: buildContextsRouter,
  webhooks: webhooksRouter,
  overview: overviewRouter,
  pools: poolsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
