import { readFile } from "node:fs/promises";
import pg from "pg";
import { openSchemaEngine } from "./schema-engine";
import { defaultMigrationsDir, defaultSchemaPath, loadMigrations } from "./migrations-dir";

export interface MigrateOptions {
  migrationsDir?: string;
  schemaPath?: string;
  log?: (line: string) => void;
  /** How long to wait for another process's migration to finish before giving up (default 10 minutes). */
  waitMs?: number;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * Bailey's own migration lock (a session advisory lock), taken before Prisma's schema engine
 * runs. The engine takes Prisma's lock too, but gives up on it after 10 s; with this one held,
 * two Bailey processes migrating one database queue up instead, and whatever `_prisma_migrations`
 * row is left unfinished after a failure is known to be this process's own (or a dead one's),
 * never another process's migration still in flight.
 */
const baileyMigrationLockKey = 0x4ba1e7; // "bailey": any constant no other lock of Bailey uses

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
  const lock = await takeMigrationLock(databaseUrl, options.waitMs ?? 600_000, options.log);
  try {
    const session = await openSchemaEngine(databaseUrl, { path: schemaPath, content: await readFile(schemaPath, "utf8") });
    try {
      const { appliedMigrationNames } = await session.engine.applyMigrations({
        migrationsList,
        filters: { externalTables: [], externalEnums: [] },
      });
      for (const name of appliedMigrationNames) options.log?.(`applied migration ${name}`);
      return { applied: appliedMigrationNames };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      // The engine did not get Prisma's lock: someone else (`prisma migrate deploy` by hand) is
      // migrating, and the unfinished row is theirs, in flight: it must not be marked rolled back.
      if (/advisory lock/i.test(detail)) {
        throw new Error(
          `Database migration did not start: another process (not Bailey) holds Prisma's migration lock on this database. Wait for it to finish, then run \`npm run db:migrate\` again. ${detail}`,
        );
      }
      const failed = await markFailedMigrationsRolledBack(lock.client);
      throw new Error(`Database migration failed${failed.length ? ` in ${failed.join(", ")}` : ""}; nothing of it was applied. ${detail}`);
    } finally {
      await session.close();
    }
  } finally {
    await lock.release();
  }
}

/** Migrations in the directory that the database has not applied (all of them on an empty database). */
export async function pendingMigrations(databaseUrl: string, migrationsDir = defaultMigrationsDir): Promise<string[]> {
  const { migrationDirectories } = await loadMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: table } = await client.query<{ exists: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`);
    const applied = new Set(
      table[0]?.exists
        ? (await client.query<{ migration_name: string }>(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)).rows.map(
            (row) => row.migration_name,
          )
        : [],
    );
    return migrationDirectories.map((entry) => entry.path).filter((name) => !applied.has(name));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function takeMigrationLock(databaseUrl: string, waitMs: number, log?: (line: string) => void): Promise<{ client: pg.Client; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [baileyMigrationLockKey]);
    if (!rows[0]?.locked) {
      log?.("another process is migrating this database; waiting for it to finish");
      await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
      await client.query("SELECT pg_advisory_lock($1)", [baileyMigrationLockKey]).catch((error: { code?: string; message: string }) => {
        if (error.code !== "55P03") throw error;
        throw new Error(
          `Another process has been migrating this database for over ${Math.round(waitMs / 1000)} s. Check what runs \`npm run db:migrate\` (or a replica started without BAILEY_MIGRATE=skip), then try again.`,
        );
      });
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    client,
    // Ending the session releases the lock, whatever state the connection is in.
    release: () => client.end().catch(() => undefined),
  };
}

/** Under Bailey's migration lock, every unfinished row is this attempt's (or a killed process's): none is in flight elsewhere. */
async function markFailedMigrationsRolledBack(client: pg.Client): Promise<string[]> {
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `UPDATE _prisma_migrations SET rolled_back_at = now()
        WHERE finished_at IS NULL AND rolled_back_at IS NULL
        RETURNING migration_name`,
    );
    return rows.map((row) => row.migration_name);
  } catch {
    return [];
  }
}
