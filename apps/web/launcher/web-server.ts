// The dashboard's HTTP server (run by next-server.ts in its own process): Next.js for every
// request, plus the exec WebSockets at /api/v1/runs/{id}/exec, which a route handler cannot
// serve because Next's routes cannot take an upgrade.
import { readFileSync } from "node:fs";
import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import { parseArgs } from "node:util";
import { createObservabilityEndpoints, HostConnections, lineLogger, logger, metricsTokenFromEnv, observeHttpRequest, withRequestContext } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import next from "next";
import { webServerEnv } from "./env";
import { createApiFastPath } from "./api-fast-path";
import { createExecSocketServer } from "./exec-socket/server";
import { startReplicaScheduler } from "./replica-scheduler";
import { webAppDir } from "./web-app-dir";

const { values } = parseArgs({ options: { port: { type: "string" }, hostname: { type: "string" } } });
const port = Number(values.port);
const hostname = values.hostname ?? "127.0.0.1";
const log = lineLogger(logger().child({ component: "web-server" }));

const env = webServerEnv();

// The same process-wide clients the Next app's own modules use (apps/web/src/server/db.ts and
// connections.ts read these globals), so a terminal shares the host's one SSH connection.
const shared = globalThis as unknown as { baileyPrisma?: PrismaClient; baileyConnections?: HostConnections };
const prisma = () => (shared.baileyPrisma ??= createPrismaClient(env.databaseUrl()));
const connections = () => {
  shared.baileyConnections ??= new HostConnections(env.sshPrivateKeyFile ? { privateKey: readFileSync(env.sshPrivateKeyFile, "utf8") } : {});
  return shared.baileyConnections;
};

async function main(): Promise<void> {
  // Next adds its own upgrade listener to the server its first request arrived on, and ends every
  // upgrade it does not serve (in production, all of them): it gets a stand-in to listen to, and
  // the real server's upgrades are ours alone.
  const upgradesForNext = new EventEmitter() as unknown as Server;
  const app = next({ dev: false, dir: webAppDir, hostname, port, httpServer: upgradesForNext });
  const handle = app.getRequestHandler();
  await app.prepare();
  const execSockets = createExecSocketServer({
    prisma,
    connections,
    secret: env.authSecret(),
    ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}),
    log,
  });
  // /metrics, /livez, /readyz: here, not as Next routes, so they read this process's registry.
  const observability = createObservabilityEndpoints({ prisma, metricsToken: metricsTokenFromEnv() });
  const apiFastPath = createApiFastPath({ prisma, connections });
  const server = createServer((request, response) =>
    withRequestContext(request, response, () => {
      observeHttpRequest(request, response);
      if (observability(request, response)) return;
      if (execSockets.handleRequest(request, response)) return;
      if (apiFastPath(request, response)) return;
      void handle(request, response);
    }),
  );
  server.on("upgrade", (request, socket, head) =>
    withRequestContext(request, null, () => {
      if (!execSockets.handleUpgrade(request, socket, head)) socket.destroy();
    }),
  );
  // The scheduler (when BAILEY_TICK_INTERVAL_MS > 0) stands for leader once this replica serves.
  let scheduler: ReturnType<typeof startReplicaScheduler> = null;
  server.listen(port, hostname, () => {
    log(`▲ Bailey's dashboard is listening on http://${hostname}:${port}`);
    scheduler = startReplicaScheduler(env, log);
  });

  const stop = () => {
    execSockets.close();
    server.close();
    server.closeAllConnections();
    // Stopping the scheduler releases its lock at once, so a standby replica takes over without waiting.
    void (scheduler?.stop() ?? Promise.resolve()).catch(() => undefined).finally(() => setTimeout(() => process.exit(0), 100).unref());
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: Error) => {
  logger().fatal({ err: error }, `The dashboard server could not start: ${error.message}`);
  process.exit(1);
});
