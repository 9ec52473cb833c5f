import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, maxBatchSize, readBodyBytes, restErrorResponse, toTRPCError, trpcResponseMeta } from "@bailey/api";
import { AppError } from "@bailey/core";
import { createApiContext } from "~/server/api-context";

/**
 * The body is read here first, at most 1 MiB (a larger one is 413 before authentication or
 * parsing), then handed to tRPC as a fresh request.
 */
async function boundedRequest(request: Request): Promise<Request> {
  if (request.method !== "POST") return request;
  const body = await readBodyBytes(request);
  return new Request(request.url, { method: request.method, headers: request.headers, body: body as Uint8Array<ArrayBuffer>, signal: request.signal });
}

async function handler(request: Request) {
  let bounded: Request;
  try {
    bounded = await boundedRequest(request);
  } catch (error) {
    return restErrorResponse(error);
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: bounded,
    router: appRouter,
    maxBatchSize,
    createContext: async () => {
      try {
        return await createApiContext(bounded);
      } catch (error) {
        throw error instanceof AppError ? toTRPCError(error) : error;
      }
    },
    responseMeta: trpcResponseMeta,
    // Expected refusals (bad input, not signed in, forbidden) reach the client as they are;
    // only failures nobody anticipated belong in the server log.
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "<no path>"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
