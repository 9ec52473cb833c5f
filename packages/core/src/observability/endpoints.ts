import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "@bailey/db";
import { registerDatabaseMetrics } from "./database-metrics";
import { checkLiveness, startLivenessMonitor } from "./liveness";
import { checkReadiness } from "./readiness";
import { metricsRegistry } from "./registry";

export interface ObservabilityEndpointsOptions {
  prisma: () => PrismaClient;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (BAILEY_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  migrationsDir?: string;
}

const paths = new Set(["/metrics", "/livez", "/readyz"]);
const noStore = { "Cache-Control": "no-store" };

/**
 * GET /metrics, /livez and /readyz, answered by the server process itself rather than a Next
 * route: a route is bundled with its own copy of every module, so it would read another registry.
 * Returns false for any other path, for the caller to serve.
 */
export function createObservabilityEndpoints(options: ObservabilityEndpointsOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  registerDatabaseMetrics(options.prisma);
  startLivenessMonitor();
  return (request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (!paths.has(path)) return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      reply(response, 405, { Allow: "GET, HEAD" }, { status: "error", message: `${path} answers GET only.` });
      return true;
    }
    void serve(path, request, response, options).catch((error: Error) => {
      if (!response.headersSent) reply(response, 500, {}, { status: "error", message: `${path} failed: ${error.message}` });
      else response.destroy(error);
    });
    return true;
  };
}

async function serve(path: string, request: IncomingMessage, response: ServerResponse, options: ObservabilityEndpointsOptions): Promise<void> {
  if (path === "/livez") {
    const liveness = checkLiveness();
    return reply(response, liveness.live ? 200 : 503, {}, { status: liveness.live ? "ok" : "error", ...liveness });
  }
  if (path === "/readyz") {
    const readiness = await checkReadiness(options.prisma(), options.migrationsDir ? { migrationsDir: options.migrationsDir } : {});
    return readiness.ready ? reply(response, 200, {}, { status: "ok" }) : reply(response, 503, {}, { status: "error", reason: readiness.reason });
  }
  if (options.metricsToken && !bearerMatches(request.headers.authorization, options.metricsToken)) {
    return reply(response, 401, { "WWW-Authenticate": 'Bearer realm="metrics"' }, { status: "error", message: "GET /metrics needs `Authorization: Bearer <BAILEY_METRICS_TOKEN>`." });
  }
  const registry = metricsRegistry();
  const body = await registry.metrics();
  response.writeHead(200, { "Content-Type": registry.contentType, ...noStore });
  response.end(request.method === "HEAD" ? undefined : body);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function reply(response: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json", ...noStore, ...headers });
  response.end(JSON.stringify(body));
}
