export { checkDatabaseReachable } from "./wait-for-database";
export { migrateDatabase, pendingMigrations, type MigrateOptions, type MigrateResult } from "./migrate";
export { startEmbeddedPostgres, findFreePort, type RunningPostgres, type EmbeddedPostgresOptions } from "./embedded-postgres";
