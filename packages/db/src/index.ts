export * from "./generated/prisma/client";
export { createPrismaClient, type PrismaClientOptions } from "./client";
export { parseDatabaseUrl, redact } from "./database-url";
export { checkDatabaseReachable } from "./wait-for-database";
export { migrateDatabase, type MigrateOptions, type MigrateResult } from "./migrate";
export { startEmbeddedPostgres, findFreePort, type RunningPostgres, type EmbeddedPostgresOptions } from "./embedded-postgres";
