import assert from "node:assert/strict";
import { test } from "node:test";
import { methods, poolSpec, runSpec, warmPoolMatch } from "../src/index";

const pool = poolSpec.parse({ poolId: "py", image: "python:3.12", sandbox: "gvisor", resources: { cpus: 1 }, size: 5 });

test("a pool spec without an idle command leaves it to the agent's launcher, and refuses a timeout among its resources", () => {
  assert.equal(pool.idleCommand, undefined);
  assert.deepEqual(poolSpec.parse({ ...pool, idleCommand: ["sleep", "infinity"] }).idleCommand, ["sleep", "infinity"]);
  assert.equal(poolSpec.safeParse({ ...pool, idleCommand: [] }).success, false, "an empty idle command is no command");
  assert.equal(poolSpec.safeParse({ ...pool, resources: { timeoutSeconds: 5 } }).success, false);
  assert.equal(poolSpec.safeParse({ ...pool, size: 51 }).success, false);
  assert.equal(methods["pool.configure"].params.safeParse({ pools: [pool, pool] }).success, false, "duplicate pool ids are refused");
});

test("warmPoolMatch: same image, sandbox and resources; env, command, user, workdir, tty and timeout do not matter", () => {
  const spec = runSpec.parse({ image: "python:3.12", resources: { cpus: 1, timeoutSeconds: 30 }, command: ["python", "-V"], env: { A: "1" }, user: "1000", workdir: "/tmp", tty: true });
  assert.equal(warmPoolMatch(spec, pool), true);
  assert.equal(warmPoolMatch({ ...spec, image: "python:3.13" }, pool), false);
  assert.equal(warmPoolMatch({ ...spec, sandbox: "none" }, pool), false);
  assert.equal(warmPoolMatch({ ...spec, resources: { cpus: 2 } }, pool), false);
  assert.equal(warmPoolMatch({ ...spec, resources: { cpus: 1, memoryBytes: 64 * 1024 ** 2 } }, pool), false);
});

test("warmPoolMatch: what a container started ahead cannot be given never matches", () => {
  const base = runSpec.parse({ image: "python:3.12", resources: { cpus: 1 } });
  const cannot = [
    runSpec.parse({ ...base, workspace: {} }),
    runSpec.parse({ ...base, dependencies: ["docker:host"] }),
    runSpec.parse({ ...base, network: { policy: "strict" } }),
    runSpec.parse({ ...base, network: { policy: "open", allow: ["example.com"] } }),
    runSpec.parse({ ...base, grants: ["gh"] }),
    runSpec.parse({ ...base, secretFiles: ["token"] }),
    runSpec.parse({ ...base, pullPolicy: "always" }),
  ];
  for (const spec of cannot) assert.equal(warmPoolMatch(spec, pool), false, JSON.stringify(spec));
  assert.equal(warmPoolMatch(runSpec.parse({ ...base, secrets: { TOKEN: "token" } }), pool), true, "secrets as env are given per exec");
});
