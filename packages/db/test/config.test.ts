import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { parseDatabaseUrl, redact } from "../src/database-url";
import { checkDatabaseReachable } from "../src/wait-for-database";
import { findFreePort } from "../src/embedded-postgres";

describe("parseDatabaseUrl", () => {
  it("accepts postgres URLs", () => {
    assert.equal(parseDatabaseUrl("postgresql://u:p@db.internal:5432/bailey").hostname, "db.internal");
    assert.equal(parseDatabaseUrl("postgres://u@localhost/bailey").pathname, "/bailey");
  });

  for (const [value, expected] of [
    ["not a url", /not a valid URL.*Example: DATABASE_URL=postgresql:\/\//],
    ["mysql://u:p@localhost/db", /must be a postgresql:\/\/ URL/],
    ["postgresql://u:p@localhost", /names no database/],
  ] as const) {
    it(`refuses ${JSON.stringify(value)} with a fix`, () => {
      assert.throws(() => parseDatabaseUrl(value), expected);
    });
  }

  it("never repeats a password in its messages", () => {
    assert.equal(redact("postgresql://bailey:hunter2@localhost/x"), "postgresql://bailey:****@localhost/x");
    assert.throws(
      () => parseDatabaseUrl("postgresql://bailey:hunter2@localhost"),
      (error: Error) => !error.message.includes("hunter2"),
    );
  });
});

describe("checkDatabaseReachable", () => {
  it("names the cause and the fix when nothing listens", async () => {
    const port = await findFreePort();
    await assert.rejects(checkDatabaseReachable(`postgresql://bailey:secret@127.0.0.1:${port}/bailey`, 2_000), (error: Error) => {
      assert.match(error.message, /Cannot reach the database at postgresql:\/\/bailey:\*\*\*\*@127\.0\.0\.1/);
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /unset DATABASE_URL to use Bailey's embedded Postgres/);
      return true;
    });
  });

  it("times out on a server that never answers", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      await assert.rejects(checkDatabaseReachable(`postgresql://bailey:secret@127.0.0.1:${port}/bailey`, 500), /timeout|did not answer/i);
    } finally {
      silent.close();
    }
  });
});
