import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, type Context } from "@bailey/api";
import { authenticateApiToken } from "@bailey/core";
import { currentUser } from "~/server/auth";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { installCommandFor } from "~/server/host-install";

/** A session for the dashboard; automation may send an API token instead, scoped per procedure. */
async function createContext(request: Request): Promise<Context> {
  const base = { prisma: db(), connections: hostConnections(), installCommand: installCommandFor };
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (bearer) return { ...base, user: null, token: await authenticateApiToken({ prisma: db(), token: bearer }) };
  const teamId = request.headers.get("x-bailey-team");
  return { ...base, user: await currentUser(), ...(teamId ? { teamId } : {}) };
}

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContext(request),
    // Expected refusals (bad input, not signed in, forbidden) reach the client as they are;
    // only failures nobody anticipated belong in the server log.
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "<no path>"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
