import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@bailey/api";
import { currentUser } from "~/server/auth";
import { db } from "~/server/db";

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () => ({ prisma: db(), user: await currentUser() }),
    // Expected refusals (bad input, not signed in, forbidden) reach the client as they are;
    // only failures nobody anticipated belong in the server log.
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "<no path>"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
