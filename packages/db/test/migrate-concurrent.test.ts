// Two replicas migrating one database at once, and a migration that cannot get Prisma's lock
// because another process is migrating: neither may record a migration twice or mark another
// process's in-flight migration rolled back.
import assert from "node:assert/strict";
import { cp, mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { defaultMigrationsDir } from "../src/migrations-dir";
import { migrateDatabase, pendingMigrations } from "../src/migrate";
import { createScratchDatabase, type ScratchDatabase } from "../src/testing";

/** The key Prisma's schema engine takes before it migrates (SELECT pg_advisory_lock(72707369)). */
const prismaMigrationLockKey = 72707369;

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("migrating one database from two processes at once", () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await createScratchDatabase();
  });
  after(async () => db.drop());

  it("applies each migration exactly once; the second waits for the first instead of failing", { timeout: 120_000 }, async () => {
    const expected = (await readdir(defaultMigrationsDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    assert.deepEqual((await pendingMigrations(db.url)).sort(), expected.sort(), "an empty database has every migration pending");
    const [first, second] = await Promise.all([migrateDatabase(db.url), migrateDatabase(db.url)]);
    assert.deepEqual([...first.applied, ...second.applied].sort(), expected.sort(), "between them, every migration was applied by exactly one");
    const recorded = await rows<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      db.url,
      "SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations",
    );
    assert.equal(recorded.length, expected.length, "one _prisma_migrations row per migration");
    assert.ok(recorded.every((row) => row.finished_at && !row.rolled_back_at));
    assert.deepEqual(await pendingMigrations(db.url), []);
  });
});

describe("a migration that times out on Prisma's lock", () => {
  let db: ScratchDatabase;
  let migrationsDir: string;
  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    migrationsDir = await mkdtemp(path.join(tmpdir(), "bailey-migrations-"));
    await cp(defaultMigrationsDir, migrationsDir, { recursive: true });
    await mkdir(path.join(migrationsDir, "29990101000000_in_flight"));
    await writeFile(path.join(migrationsDir, "29990101000000_in_flight/migration.sql"), 'BEGIN;\nCREATE TABLE "InFlight" ("id" TEXT PRIMARY KEY);\nCOMMIT;\n');
  });
  after(async () => {
    await db.drop();
    await rm(migrationsDir, { recursive: true, force: true });
  });

  it("says another process is migrating and leaves that process's in-flight migration alone", { timeout: 120_000 }, async () => {
    // Another process (prisma migrate deploy, say) holds Prisma's lock and is half-way through a migration.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock($1)", [prismaMigrationLockKey]);
      await other.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('in-flight', 'x', '29990101000000_in_flight', now(), 0)`);
      await assert.rejects(migrateDatabase(db.url, { migrationsDir }), (error: Error) => {
        assert.match(error.message, /another process \(not Bailey\) holds Prisma's migration lock/);
        assert.match(error.message, /npm run db:migrate/);
        return true;
      });
      const row = await rows<{ rolled_back_at: Date | null; finished_at: Date | null }>(db.url, `SELECT rolled_back_at, finished_at FROM _prisma_migrations WHERE id = 'in-flight'`);
      assert.deepEqual(row, [{ rolled_back_at: null, finished_at: null }], "the other process's in-flight migration is not marked rolled back");
    } finally {
      await other.end();
    }
  });
});
