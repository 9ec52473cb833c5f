import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(path.join(tmpdir(), "bailey-cli-package-"));
after(() => rmSync(work, { recursive: true, force: true }));

// The tarball pack.mjs makes installs with npm alone, offline, outside the checkout, and runs on
// Node alone: no workspace package, no tsx, no TypeScript source.
it("the packed CLI installs with npm from its tarball, offline, and runs outside the checkout", { timeout: 120_000 }, () => {
  const tarball = execFileSync(process.execPath, [path.join(cliDir, "pack.mjs"), path.join(work, "out")], { encoding: "utf8" }).trim();
  assert.match(path.basename(tarball), /^bailey-cli-\d+\.\d+\.\d+\.tgz$/);
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
  assert.deepEqual(listing, ["package/bin/bailey.mjs", "package/dist/bailey.cjs", "package/package.json"]);

  const prefix = path.join(work, "prefix");
  execFileSync("npm", ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], { cwd: work, stdio: "pipe" });
  assert.deepEqual(readdirSync(path.join(prefix, "lib/node_modules")), ["bailey-cli"]);
  const bailey = path.join(prefix, "bin/bailey");
  const env = { PATH: process.env.PATH ?? "", HOME: work, XDG_CONFIG_HOME: path.join(work, "config") };

  const help = spawnSync(bailey, ["--help"], { cwd: work, env, encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  for (const command of ["login", "run", "logs", "exec", "stop", "rm", "ls", "hosts", "audit"]) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));

  // Nothing listens on port 9: the API client inside the bundle says so, with what to check.
  const unreachable = spawnSync(bailey, ["ls"], { cwd: work, env: { ...env, BAILEY_URL: "http://127.0.0.1:9", BAILEY_TOKEN: "bly_not_a_real_token" }, encoding: "utf8" });
  assert.notEqual(unreachable.status, 0);
  assert.match(unreachable.stderr, /Cannot reach Bailey at http:\/\/127\.0\.0\.1:9\/api\/v1/);
});
