import assert from "node:assert/strict";
import { cp, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { defaultMigrationsDir } from "../src/migrations-dir";
import { migrateDatabase } from "../src/migrate";
import { createScratchDatabase, type ScratchDatabase } from "../src/testing";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("migrateDatabase", () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await createScratchDatabase();
  });
  after(async () => db.drop());

  it("applies every migration once and records it as prisma migrate would", async () => {
    const first = await migrateDatabase(db.url);
    assert.ok(first.applied.length >= 1, "the first run applies the initial migration");
    const second = await migrateDatabase(db.url);
    assert.deepEqual(second.applied, [], "a second run finds nothing pending");

    const recorded = await query<{ migration_name: string; finished_at: Date | null; checksum: string }>(db.url, "SELECT migration_name, finished_at, checksum FROM _prisma_migrations");
    assert.deepEqual(recorded.map((row) => row.migration_name).sort(), first.applied.slice().sort());
    assert.ok(recorded.every((row) => row.finished_at !== null && row.checksum.length === 64));

    const tables = await query<{ tablename: string }>(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    for (const table of ["User", "Team", "Membership", "ApiToken", "Host", "HostEnrollment", "Run", "Sidecar", "Network", "AuditEvent", "Secret"]) {
      assert.ok(
        tables.some((row) => row.tablename === table),
        `table ${table} exists`,
      );
    }
  });
});

describe("a migration that fails", () => {
  let db: ScratchDatabase;
  let migrationsDir: string;
  before(async () => {
    db = await createScratchDatabase();
    migrationsDir = await mkdtemp(path.join(tmpdir(), "bailey-migrations-"));
    await cp(defaultMigrationsDir, migrationsDir, { recursive: true });
    await mkdir(path.join(migrationsDir, "29990101000000_broken"));
    await writeFile(
      path.join(migrationsDir, "29990101000000_broken/migration.sql"),
      'BEGIN;\nCREATE TABLE "HalfDone" ("id" TEXT PRIMARY KEY);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\nCOMMIT;\n',
    );
  });
  after(async () => {
    await db.drop();
    await rm(migrationsDir, { recursive: true, force: true });
  });

  it("leaves nothing of itself behind, says which migration failed, and can be retried once fixed", async () => {
    await assert.rejects(migrateDatabase(db.url, { migrationsDir }), (error: Error) => {
      assert.match(error.message, /29990101000000_broken/);
      assert.match(error.message, /nothing of it was applied/);
      return true;
    });
    const halfDone = await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'HalfDone'");
    assert.equal(halfDone.length, 0, "the first statement of the failed migration was rolled back");
    const earlier = await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'Run'");
    assert.equal(earlier.length, 1, "migrations before the broken one stay applied");

    await writeFile(path.join(migrationsDir, "29990101000000_broken/migration.sql"), 'BEGIN;\nCREATE TABLE "HalfDone" ("id" TEXT PRIMARY KEY);\nCOMMIT;\n');
    const retry = await migrateDatabase(db.url, { migrationsDir });
    assert.deepEqual(retry.applied, ["29990101000000_broken"]);
  });
});

describe("the migrations in prisma/migrations", () => {
  it("each run as one transaction", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const names = (await readdir(defaultMigrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.ok(names.length > 0);
    for (const name of names) {
      const sql = (await readFile(path.join(defaultMigrationsDir, name, "migration.sql"), "utf8")).trim();
      assert.match(sql, /^(--[^\n]*\n)*BEGIN;/, `${name} starts with BEGIN;`);
      assert.match(sql, /COMMIT;$/, `${name} ends with COMMIT;`);
    }
  });
});
