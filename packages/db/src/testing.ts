import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file. It lives on the server named by
 * BAILEY_TEST_POSTGRES_URL (the test runner starts one embedded server for the whole
 * suite), or, when that is unset, on an embedded server started just for this process.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const { serverUrl, stopServer } = await testServer();
  const name = `bailey_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
      await stopServer();
    },
  };
}

async function testServer(): Promise<{ serverUrl: string; stopServer: () => Promise<void> }> {
  const shared = process.env.BAILEY_TEST_POSTGRES_URL;
  if (shared) return { serverUrl: shared, stopServer: async () => undefined };
  const dataDir = await mkdtemp(path.join(tmpdir(), "bailey-pg-"));
  const server: RunningPostgres = await startEmbeddedPostgres({ dataDir, database: "postgres" });
  return {
    serverUrl: server.url,
    stopServer: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
