import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "@bailey/db";

/** prisma/migrations of this checkout (or image): what the schema must have had applied. */
export const defaultMigrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../prisma/migrations");

export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Ready when Postgres answers and every migration this code ships with is recorded as applied
 * (finished, not rolled back). A database ahead of the code (a newer replica migrated it during
 * a rolling upgrade) is ready: migrations only add what older code ignores.
 */
export async function checkReadiness(prisma: PrismaClient, options: { migrationsDir?: string; timeoutMs?: number } = {}): Promise<Readiness> {
  const expected = await shippedMigrations(options.migrationsDir ?? defaultMigrationsDir);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs ?? 3_000} ms`)), options.timeoutMs ?? 3_000);
  });
  try {
    const applied = await Promise.race([
      prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      timeout,
    ]);
    const have = new Set(applied.map((row) => row.migration_name));
    const missing = expected.filter((name) => !have.has(name));
    if (missing.length) return { ready: false, reason: `migrations not applied yet: ${missing.join(", ")} (run the migrate step)` };
    return { ready: true };
  } catch (error) {
    // No _prisma_migrations at all is an empty database: nothing applied yet.
    if (error instanceof Error && /_prisma_migrations.*does not exist|relation .* does not exist/i.test(error.message))
      return { ready: false, reason: "the database has no migrations applied (run the migrate step)" };
    return { ready: false, reason: "the database is unreachable" };
  } finally {
    clearTimeout(timer);
  }
}

let cached: { dir: string; names: Promise<string[]> } | undefined;

/** Read once: the migrations shipped with the code do not change while it runs. */
function shippedMigrations(dir: string): Promise<string[]> {
  if (cached?.dir !== dir) {
    const names = readdir(dir, { withFileTypes: true }).then((entries) =>
      entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    );
    // A missing directory is a broken install: every probe says so, rather than caching success.
    names.catch(() => (cached = undefined));
    cached = { dir, names };
  }
  return cached.names.catch((error: Error) => {
    throw new Error(`Bailey's migrations directory ${dir} cannot be read: ${error.message}`);
  });
}
