// What the control plane's request path needs: the client, its types, URL checks.
// Start-up tools (migrations, embedded Postgres) are in "@bailey/db/admin".
export * from "./generated/prisma/client";
export { createPrismaClient, type PrismaClientOptions } from "./client";
export { parseDatabaseUrl, redact } from "./database-url";
