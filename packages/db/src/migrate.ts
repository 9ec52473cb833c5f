import { readFile } from "node:fs/promises";
import pg from "pg";
import { openSchemaEngine } from "./schema-engine";
import { defaultMigrationsDir, defaultSchemaPath, loadMigrations } from "./migrations-dir";

export interface MigrateOptions {
  migrationsDir?: string;
  schemaPath?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * Applies pending migrations with Prisma's schema engine, recording them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` would.
 *
 * Every migration file is one explicit transaction (`npm run db:diff` writes them so, and
 * a test holds every file to it), so a failing migration leaves no part of itself behind.
 * Its failed row in `_prisma_migrations` is then marked rolled back (what
 * `prisma migrate resolve --rolled-back` does) so that a fixed migration can be retried.
 */
export async function migrateDatabase(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schemaPath = options.schemaPath ?? defaultSchemaPath;
  const migrationsList = await loadMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const session = await openSchemaEngine(databaseUrl, { path: schemaPath, content: await readFile(schemaPath, "utf8") });
  try {
    const { appliedMigrationNames } = await session.engine.applyMigrations({
      migrationsList,
      filters: { externalTables: [], externalEnums: [] },
    });
    for (const name of appliedMigrationNames) options.log?.(`applied migration ${name}`);
    return { applied: appliedMigrationNames };
  } catch (error) {
    const failed = await markFailedMigrationsRolledBack(databaseUrl);
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration failed${failed.length ? ` in ${failed.join(", ")}` : ""}; nothing of it was applied. ${detail}`);
  } finally {
    await session.close();
  }
}

async function markFailedMigrationsRolledBack(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      `UPDATE _prisma_migrations SET rolled_back_at = now()
        WHERE finished_at IS NULL AND rolled_back_at IS NULL
        RETURNING migration_name`,
    );
    return rows.map((row) => row.migration_name);
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}
