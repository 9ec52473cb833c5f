import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { shortDuration } from "../src/commands/overview";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/bailey.mjs");

it("shortDuration fits a table cell", () => {
  assert.equal(shortDuration(null), "-");
  assert.equal(shortDuration(850), "850ms");
  assert.equal(shortDuration(12_340), "12.3s");
  assert.equal(shortDuration(245_000), "4m05s");
});

// Refused before any request: no credentials are needed to learn what --hours takes.
it("bailey overview refuses an --hours it cannot ask for, with the range, exit code 2", () => {
  for (const hours of ["0", "169", "1.5", "abc"]) {
    const result = spawnSync(process.execPath, [bin, "overview", "--hours", hours], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", BAILEY_URL: "http://127.0.0.1:9", BAILEY_TOKEN: "bly_unused" },
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`--hours takes a whole number from 1 to 168, e\\.g\\. --hours 24 \\(got ${hours.replace(".", "\\.")}\\)`));
    assert.equal(result.stdout, "");
  }
});

it("bailey overview --help says what it prints and its flag", () => {
  const result = spawnSync(process.execPath, [bin, "overview", "--help"], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /--hours N/);
  assert.match(result.stdout, /p50\/p90 start latency/);
});
