import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/bailey.mjs");
const bailey = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", BAILEY_URL: "http://127.0.0.1:9", BAILEY_TOKEN: "bly_unused" } });

// Refused before any request (the URL is the discard port): each says what to give, exit code 2.
it("bailey pools refuses what it cannot ask for, saying what it takes", () => {
  const cases: [string[], RegExp][] = [
    [["pools", "create", "--image", "busybox", "--size", "2"], /pools create needs --host, --image and --size/],
    [["pools", "create", "--host", "h", "--image", "busybox", "--size", "1.5"], /--size takes a whole number \(got 1\.5\)/],
    [["pools", "create", "--host", "h", "--image", "busybox", "--size", "2", "--sandbox", "kata"], /--sandbox is gvisor or none \(got kata\)/],
    [["pools", "rm"], /pools rm needs the pool's id/],
    [["pools", "grow"], /pools takes ls, create or rm \(got grow\)/],
  ];
  for (const [args, message] of cases) {
    const result = bailey(args);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, "");
  }
});

it("bailey pools --help says what a warm pool is and how to make one", () => {
  const result = spawnSync(process.execPath, [bin, "pools", "--help"], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /bailey pools create --host HOST --image IMAGE --size N/);
  assert.match(result.stdout, /started ahead/);
});
