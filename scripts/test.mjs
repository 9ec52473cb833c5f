// npm test: make the clone runnable, install and start the system components the
// tests drive for real (infra/ci/setup-test-host.sh), then run every test.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureReady, root } from "./lib/bootstrap.mjs";

const started = Date.now();
ensureReady();
const setup = spawnSync("bash", [path.join(root, "infra/ci/setup-test-host.sh")], { stdio: "inherit" });
if (setup.status !== 0) {
  console.error("[bailey] the test host could not be prepared (see above); no test was run.");
  process.exit(setup.status ?? 1);
}
const tests = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/run-tests.ts"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, BAILEY_TEST_STARTED_AT: String(started) },
});
process.exit(tests.status ?? 1);
