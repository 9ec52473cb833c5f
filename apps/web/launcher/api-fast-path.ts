// GET /api/v1 reads with an API token, answered by the REST handler in this process without
// passing through Next: under load Next's routing, response streams and compression cost more
// than the operation itself (docs/benchmarks.md, "API fast path"). Same handler, procedures,
// token cache and error mapping as the Next route (src/app/api/v1/[...path]/route.ts); anything
// else (writes, sessions, stream routes, a path it cannot decode) still goes to Next.
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type Context, createRestAnswerer, isProcedureOperation } from "@bailey/api";
import type { HostConnections } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";
import { auditSigningKey } from "../src/server/audit-signing-key";
import { authenticateBearer, bearerToken } from "../src/server/bearer-token";
import { blobStore } from "../src/server/blob-store";
import { securityHeaders } from "./security-headers";

const basePath = "/api/v1";
/** Smaller answers go out as they are: gzip costs more CPU than it saves on a LAN or a page of runs. */
const gzipFromBytes = 64 * 1024;
const gzipAsync = promisify(gzip);
const securityHeadersByName = Object.fromEntries(securityHeaders(false).map(({ key, value }) => [key, value]));

export interface ApiFastPathOptions {
  prisma: () => PrismaClient;
  connections: () => HostConnections;
}

export function createApiFastPath({ prisma, connections }: ApiFastPathOptions) {
  const answerRest = createRestAnswerer({
    basePath,
    createContext: async (request): Promise<Context> => {
      const token = await authenticateBearer(prisma(), bearerToken(request) ?? "");
      return { prisma: prisma(), connections: connections(), blobs: blobStore(), auditSigningKey, user: null, token };
    },
  });

  /** Answers the request and returns true, or returns false having touched nothing (Next takes it). */
  return function serve(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== "GET" || !request.url?.startsWith(`${basePath}/`)) return false;
    if (!/^Bearer\s+\S+$/i.test(request.headers.authorization ?? "")) return false;
    let webRequest: Request;
    try {
      const url = new URL(request.url, "http://bailey.invalid");
      if (!isProcedureOperation(basePath, "GET", url.pathname)) return false;
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      webRequest = new Request(url, { method: "GET", headers });
    } catch {
      return false;
    }
    void answer(webRequest, request, response);
    return true;
  };

  async function answer(webRequest: Request, request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const answered = await answerRest(webRequest);
      let body = Buffer.from(answered.body, "utf8");
      const headers: Record<string, string> = { ...securityHeadersByName, ...answered.headers };
      if (body.length >= gzipFromBytes && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
        body = await gzipAsync(body);
        headers["content-encoding"] = "gzip";
        headers.vary = "Accept-Encoding";
      }
      headers["content-length"] = String(body.length);
      response.writeHead(answered.status, headers).end(body);
    } catch (error) {
      // The handler maps its own errors to responses: this is the response itself failing.
      console.error(`[api/v1] GET ${request.url?.slice(0, 200)} could not be answered:`, error);
      if (!response.headersSent)
        response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "INTERNAL", message: "The server could not answer; try again." } }));
      else response.destroy();
    }
  }
}
