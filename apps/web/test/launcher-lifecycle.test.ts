import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import pg from "pg";
import { startLauncher, waitForOutput } from "./launcher-process";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Processes whose command line mentions `needle` (the data directory, the port). */
function processesMentioning(needle: string): string[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmdline.includes(needle) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

async function usersIn(dataDir: string, output: string): Promise<{ email: string; passwordHash: string }[]> {
  const port = output.match(/embedded Postgres on 127\.0\.0\.1:(\d+)/)?.[1];
  assert.ok(port, "the launcher says where its embedded Postgres listens");
  const { user, password } = JSON.parse(await readFile(path.join(dataDir, "postgres-credentials.json"), "utf8"));
  const client = new pg.Client({ host: "127.0.0.1", port: Number(port), user, password, database: "bailey" });
  await client.connect();
  try {
    return (await client.query('SELECT email, "passwordHash" FROM "User"')).rows;
  } finally {
    await client.end();
  }
}

describe("npm start's launcher, end to end", () => {
  let dataDir = "";
  after(async () => rm(dataDir, { recursive: true, force: true }));

  it("starts embedded Postgres and the dashboard, keeps data across restarts, and Ctrl-C leaves nothing behind", { timeout: 240_000 }, async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "bailey-lifecycle-"));
    await chmod(parent, 0o755);
    dataDir = path.join(parent, "data");
    const port = await freePort();
    const env = { BAILEY_DATA_DIR: dataDir, PORT: String(port), BAILEY_HOST: "127.0.0.1", BAILEY_ADMIN_EMAIL: "first@owner.test" };

    const first = startLauncher(env);
    await waitForOutput(first, /Bailey is running/);
    const generated = first.output().match(/Password:\s+(\S+)\s+\(generated now/)?.[1];
    assert.ok(generated && generated.length >= 16, "a generated password is printed at first start");
    assert.match(first.output(), new RegExp(`Dashboard: http://localhost:${port}`));
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok", database: "reachable" });
    const signInOverHttp = await fetch(`http://127.0.0.1:${port}/signin`);
    assert.equal(signInOverHttp.status, 200);
    assert.equal(signInOverHttp.headers.get("strict-transport-security"), null, "no HSTS while the public URL is http");
    const usersBefore = await usersIn(dataDir, first.output());
    assert.equal(usersBefore.length, 1);

    first.child.kill("SIGINT");
    const code = await new Promise((resolve) => first.child.once("exit", resolve));
    assert.equal(code, 0, `the launcher exits cleanly on Ctrl-C; output:\n${first.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(processesMentioning(dataDir), [], "no Postgres is left running on the data directory");
    assert.deepEqual(processesMentioning(`--port ${port}`), [], "no dashboard server is left running");

    // Behind a TLS-terminating proxy: the public URL is https, so every page carries HSTS.
    const second = startLauncher({ ...env, BAILEY_ADMIN_PASSWORD: "a-different-password", NEXTAUTH_URL: "https://bailey.example.test" });
    await waitForOutput(second, /Bailey is running/);
    for (const pathname of ["/signin", "/runs", "/hosts/enroll-anything"]) {
      const answer = await fetch(`http://127.0.0.1:${port}${pathname}`, { redirect: "manual" });
      assert.equal(answer.headers.get("strict-transport-security"), "max-age=31536000", `HSTS on ${pathname} (${answer.status})`);
    }
    assert.doesNotMatch(second.output(), /generated now/, "the password is printed only once");
    assert.match(second.output(), /the owner already exists/);
    const usersAfter = await usersIn(dataDir, second.output());
    assert.deepEqual(usersAfter, usersBefore, "the second start kept the account and did not reset its password");
    second.child.kill("SIGTERM");
    assert.equal(await new Promise((resolve) => second.child.once("exit", resolve)), 0);
  });
});
