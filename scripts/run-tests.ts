// Runs the unit and integration tests (Node's test runner) and the browser tests
// (Playwright) against one embedded Postgres server, then prints one summary line.
import { spawn, type SpawnOptions } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedPostgres } from "@bailey/db/admin";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const only = args.has("--unit") ? "unit" : args.has("--e2e") ? "e2e" : "all";

/**
 * Runs a child to its end without blocking this process. The embedded Postgres this process
 * started writes its server log into pipes that only this process's event loop drains: under
 * spawnSync nothing read them, and once a test made the server log enough (every unique
 * violation is an ERROR line) the pipe filled, a backend blocked writing to it mid-query, and
 * from then on every DROP DATABASE of every test file waited for that backend for good. On
 * timeout the child's whole process group is killed, test files included.
 */
const runningGroups = new Set<number>();
// Detached children do not get the terminal's Ctrl-C: pass it on to them, then stop.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const group of runningGroups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {}
    }
    process.exit(130);
  });
}

function run(command: string, args: string[], options: SpawnOptions & { timeoutMs: number }): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, detached: true });
    if (child.pid) runningGroups.add(child.pid);
    const timer = setTimeout(() => {
      console.error(`[test] ${path.basename(command)} ran past ${options.timeoutMs / 60_000} minutes: stopping it.`);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, options.timeoutMs);
    child.on("error", (error) => {
      console.error(`[test] could not run ${command}: ${error.message}`);
      clearTimeout(timer);
      resolve(null);
    });
    child.on("exit", (code) => {
      if (child.pid) runningGroups.delete(child.pid);
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function findTests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "node_modules" ? [] : findTests(file);
    return name.endsWith(".test.ts") ? [file] : [];
  });
}

function testFiles(): string[] {
  const workspaces = ["packages", "apps"].flatMap((group) => readdirSync(path.join(root, group)).map((name) => path.join(root, group, name, "test")));
  return workspaces
    .flatMap(findTests)
    .map((file) => path.relative(root, file))
    .sort();
}

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** What failed, a line each, repeated at the end of the output: CI shows only its end. */
  failures: string[];
}

/**
 * Test files that run one at a time, after the others: they compare every image on the engine
 * before and after a build (another file's builds would show up in between), install the agent
 * system-wide, or kill processes and Postgres on a schedule and time the recovery.
 */
const runAlone = new Set([
  "packages/runtime/test/build.test.ts",
  "apps/agent/test/run-build.test.ts",
  "apps/agent/test/install.test.ts",
  "packages/core/test/faults/agent-and-ssh.test.ts",
  "packages/core/test/faults/capacity.test.ts",
  "packages/core/test/faults/control-plane-sigkill.test.ts",
  "packages/core/test/faults/webhooks-sigkill.test.ts",
  "apps/web/test/replicas.test.ts",
  "apps/web/test/postgres-restart.test.ts",
]);
/**
 * The other files run two at a time: most of their time is waiting on Docker, sshd and Postgres,
 * and each makes its own database, ports, temporary directories and labelled containers.
 */
const concurrentFiles = 2;

async function runNodeTests(env: NodeJS.ProcessEnv, scratch: string): Promise<Tally> {
  const files = testFiles();
  const missing = [...runAlone].filter((file) => !files.includes(file));
  if (missing.length) throw new Error(`scripts/run-tests.ts lists test files to run alone that do not exist: ${missing.join(", ")}`);
  const together = files.filter((file) => !runAlone.has(file));
  const alone = files.filter((file) => runAlone.has(file));
  console.log(`\n[test] unit and integration: ${files.length} files, ${together.length} of them ${concurrentFiles} at a time, then ${alone.length} alone`);
  const started = Date.now();
  // A hung test must not eat CI's 90 minutes: each test has 10 minutes, the two runs 40 together (about
  // 16 + 7 here; 40 + the browser stage's 25 stays inside 90 with setup).
  const first = await runNodeTestFiles(together, concurrentFiles, path.join(scratch, "node-tests.tap"), env, 40 * 60_000);
  const second = await runNodeTestFiles(alone, 1, path.join(scratch, "node-tests-alone.tap"), env, Math.max(60_000, 40 * 60_000 - (Date.now() - started)));
  return { passed: first.passed + second.passed, failed: first.failed + second.failed, skipped: first.skipped + second.skipped, failures: [...first.failures, ...second.failures] };
}

async function runNodeTestFiles(files: string[], concurrency: number, tap: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Tally> {
  await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${concurrency}`,
      "--test-timeout=600000",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { cwd: root, stdio: "inherit", env, timeoutMs },
  );
  const report = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (name: string) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
  const tally = { passed: count("pass"), failed: count("fail") + count("cancelled"), skipped: count("skipped") + count("todo"), failures: failedTestsIn(report) };
  if (!report) {
    tally.failed += 1;
    tally.failures.push(`✖ the unit and integration test runner itself (no report from ${path.basename(tap)})`);
  }
  return tally;
}

/** The failed tests of a TAP report, each with its first error line. */
function failedTestsIn(report: string): string[] {
  const lines = report.split("\n");
  const failures: string[] = [];
  lines.forEach((line, index) => {
    const [, indent = "", name = ""] = line.match(/^(\s*)not ok \d+ - (.*)$/) ?? [];
    if (!name) return;
    const depth = indent.length / 4;
    const following = lines.slice(index + 1, index + 40);
    const at = following.findIndex((next) => /^\s*error: /.test(next));
    // A multi-line message is a YAML block (`error: |-`): its first line is the next one.
    const error = at < 0 ? undefined : /^\s*error: [|>]-?\s*$/.test(following[at] ?? "") ? `error: ${following[at + 1]?.trim() ?? ""}` : following[at]?.trim();
    failures.push(`${"  ".repeat(depth)}✖ ${name}${error ? `  (${error.slice(0, 300)})` : ""}`);
  });
  return failures;
}

async function runBrowserTests(env: NodeJS.ProcessEnv, scratch: string): Promise<Tally> {
  const json = path.join(scratch, "playwright.json");
  console.log("\n[test] browser (Playwright, Chromium)");
  await run("npx", ["--no-install", "playwright", "test", "--reporter=list,json"], {
    cwd: path.join(root, "apps/e2e"),
    stdio: "inherit",
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: json },
    // The browser stage takes about 15 minutes here (the REST fuzz 3 of them); 25 leaves room on a loaded machine.
    timeoutMs: 25 * 60_000,
  });
  // Playwright's list reporter ends the output with its own failures: the browser stage runs last.
  if (!existsSync(json)) return { passed: 0, failed: 1, skipped: 0, failures: ["✖ the browser test runner itself (no report)"] };
  const stats = JSON.parse(readFileSync(json, "utf8")).stats as { expected: number; unexpected: number; flaky: number; skipped: number };
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped, failures: [] };
}

/** Lint and format (Biome) and the type check of every workspace (turbo): each counts as one test. */
async function runStaticChecks(): Promise<Tally> {
  const checks: [string, string, string[]][] = [
    ["lint and format (biome ci)", path.join(root, "node_modules/.bin/biome"), ["ci", "."]],
    ["typecheck (turbo run typecheck typecheck:root)", path.join(root, "node_modules/.bin/turbo"), ["run", "typecheck", "typecheck:root", "--output-logs=errors-only"]],
  ];
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const [name, command, args] of checks) {
    console.log(`\n[test] ${name}`);
    const status = await run(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" }, timeoutMs: 15 * 60_000 });
    if (status === 0) tally.passed += 1;
    else {
      tally.failed += 1;
      tally.failures.push(`✖ ${name}`);
      console.error(`[test] ${name} failed: see its findings above (npm run lint / npm run format / npm run typecheck).`);
    }
  }
  return tally;
}

const scratch = mkdtempSync(path.join(tmpdir(), "bailey-test-"));
chmodSync(scratch, 0o755); // as root, the embedded Postgres runs as "postgres" and must enter it
const postgresDir = path.join(scratch, "postgres-data");
const postgres = await startEmbeddedPostgres({ dataDir: postgresDir, database: "postgres" });
const env = { ...process.env, BAILEY_TEST_POSTGRES_URL: postgres.url, NEXT_TELEMETRY_DISABLED: "1" };
const tallies: Tally[] = [];
try {
  if (only !== "e2e") tallies.push(await runStaticChecks(), await runNodeTests(env, scratch));
  if (only !== "unit") tallies.push(await runBrowserTests(env, scratch));
} finally {
  await postgres.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const total = tallies.reduce((sum, t) => ({ passed: sum.passed + t.passed, failed: sum.failed + t.failed, skipped: sum.skipped + t.skipped, failures: [...sum.failures, ...t.failures] }));
const startedAt = Number(process.env.BAILEY_TEST_STARTED_AT ?? Date.now());
if (total.failures.length) console.log(`\n[test] what failed:\n${total.failures.join("\n")}`);
console.log(`\n[test] finished in ${Math.round((Date.now() - startedAt) / 1000)}s`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
