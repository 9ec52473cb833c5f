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
  });
}

export { handler as GET, handler as POST };
