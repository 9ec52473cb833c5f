import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import pg from "pg";
import { startEmbeddedPostgres } from "../src/embedded-postgres";

describe("embedded Postgres", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("keeps its data across a stop and a second start on the same directory", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "bailey-embedded-"));
    dirs.push(dataDir);

    const first = await startEmbeddedPostgres({ dataDir });
    const writer = new pg.Client({ connectionString: first.url });
    await writer.connect();
    await writer.query("CREATE TABLE kept (value text)");
    await writer.query("INSERT INTO kept VALUES ('still here')");
    await writer.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      assert.notEqual(second.url, "", "a second start gets a URL");
      const reader = new pg.Client({ connectionString: second.url });
      await reader.connect();
      const { rows } = await reader.query<{ value: string }>("SELECT value FROM kept");
      await reader.end();
      assert.deepEqual(rows, [{ value: "still here" }]);
    } finally {
      await second.stop();
    }
  });
});
