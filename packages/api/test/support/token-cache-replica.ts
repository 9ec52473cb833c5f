// Another replica of the API for the token-cache test: its own process, its own token cache,
// the same database. Serves /api/v1 on a free loopback port (printed as the first stdout line)
// and GET /stats (its cache's hits and lookups).
import http from "node:http";
import { apiTokenAuthCache } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { bearerApiHandler } from "./bearer-api-handler";

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: token-cache-replica.ts <database url>");
const prisma = createPrismaClient(databaseUrl, { maxConnections: 2 });
const handler = bearerApiHandler(prisma, apiTokenAuthCache);

const server = http.createServer(async (request, response) => {
  if (request.url === "/stats") {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(apiTokenAuthCache.stats));
    return;
  }
  const answer = await handler(new Request(`http://replica.test${request.url}`, { method: request.method, headers: request.headers as Record<string, string> }));
  response.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
});
server.listen(0, "127.0.0.1", () => console.log(String((server.address() as { port: number }).port)));
process.stdin.on("end", () => {
  server.close();
  void prisma.$disconnect().finally(() => process.exit(0));
});
process.stdin.resume();
