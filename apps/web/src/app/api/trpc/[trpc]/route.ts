import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, maxBatchSize, readBodyBytes, restErrorResponse, toTRPCError, trpcResponseMeta } from "@bailey/api";
import { AppError } from "@bailey/core";
import { serverEnv } from "~/env";
import { createApiContext } from "~/server/api-context";

/**
 * The body is read here first, at most 1 MiB (a larger one is 413 before authentication or
 * parsing), then handed to tRPC as a fresh request.
 */
async function boundedRequest(request: Request): Promise<Request> {
  if (request.method !== "POST") return request;
  refuseCrossSiteWrites(request);
  const body = await readBodyBytes(request);
  return new Request(request.url, { method: request.method, headers: request.headers, body: body as Uint8Array<ArrayBuffer>, signal: request.signal });
}

/**
 * A mutation rides on the session cookie only from Bailey's own pages: JSON (a cross-site form
 * cannot send it without a CORS preflight) and, when a cookie is sent, the page's Origin.
 */
function refuseCrossSiteWrites(request: Request): void {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new AppError("BAD_REQUEST", `tRPC takes JSON bodies (Content-Type: application/json), not ${type || "no content type"}.`);
  if (/^Bearer\s+\S+$/i.test(request.headers.get("authorization") ?? "") || !request.headers.get("cookie")) return;
  // Browsers that send Sec-Fetch-Site say outright whether another site made this request.
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") {
    throw new AppError("FORBIDDEN", `This request came from another site (Sec-Fetch-Site: ${fetchSite}) with your session: changes are accepted only from Bailey's own pages, or with an API token.`);
  }
  const origin = request.headers.get("origin");
  const ownHosts = [request.headers.get("host"), new URL(serverEnv().NEXTAUTH_URL).host];
  let originHost: string | null = null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || !ownHosts.includes(originHost)) {
    throw new AppError("FORBIDDEN", "This request came from another site (or sent no Origin) with your session: changes are accepted only from Bailey's own pages, or with an API token.");
  }
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
