// Fault: Postgres restarts while clients keep calling the API. Requests in the outage must get
// a clear 503 (never a 500, never a hang), and Bailey must recover without being restarted.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { createApiToken } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { startEmbeddedPostgres, type RunningPostgres } from "@bailey/db/admin";
import { startLauncher, waitForOutput } from "./launcher-process";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Signs in through next-auth's credentials flow the way the sign-in form does; returns the session cookie. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("next-auth.session-token="));
  assert.ok(session, `signing in set a session cookie (status ${response.status})`);
  return session.split(";")[0]!;
}

interface Sample {
  at: number;
  path: string;
  status: number;
  ms: number;
  body: string;
}

let parent = "";
let postgres: RunningPostgres | undefined;
let launcher: ReturnType<typeof startLauncher> | undefined;
let browser: Browser | undefined;
/** The load clients run until the test ends, however it ends. */
let loadRunning = true;

after(async () => {
  loadRunning = false;
  await browser?.close();
  launcher?.child.kill("SIGTERM");
  if (launcher && launcher.child.exitCode === null) await new Promise((resolve) => launcher!.child.once("exit", resolve));
  await postgres?.stop().catch(() => undefined);
  if (parent) await rm(parent, { recursive: true, force: true });
});

it("Postgres restarted under load: requests get a clear 503 meanwhile and succeed again by themselves", { timeout: 300_000 }, async () => {
  parent = await mkdtemp(path.join(tmpdir(), "bailey-pg-restart-"));
  await chmod(parent, 0o755);
  const pgDir = path.join(parent, "postgres-server");
  postgres = await startEmbeddedPostgres({ dataDir: pgDir });
  const { url, port: pgPort } = postgres;
  const port = await freePort();
  launcher = startLauncher({ DATABASE_URL: url, BAILEY_DATA_DIR: path.join(parent, "bailey"), PORT: String(port), BAILEY_HOST: "127.0.0.1", BAILEY_ADMIN_EMAIL: "owner@restart.test" });
  await waitForOutput(launcher, /Bailey is running/);
  const base = `http://127.0.0.1:${port}`;

  const prisma = createPrismaClient(url, { maxConnections: 2 });
  let token = "";
  try {
    const membership = await prisma.membership.findFirstOrThrow({ include: { user: true } });
    ({ token } = await createApiToken({
      prisma,
      ctx: { teamId: membership.teamId, role: "owner", actor: { type: "user", userId: membership.userId } },
      name: "load",
      scopes: ["runs:read", "runs:write"],
    }));
  } finally {
    await prisma.$disconnect();
  }
  const auth = { authorization: `Bearer ${token}` };
  const password = launcher.output().match(/Password:\s+(\S+)/)?.[1];
  assert.ok(password, "the launcher printed the owner's generated password");
  const sessionCookie = await signIn(base, "owner@restart.test", password);
  // Next renders a server error's boundary in the browser, so a real one looks at the page.
  const chromiumPath = process.env.BAILEY_CHROMIUM ?? "/usr/bin/chromium";
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium (npm test does), or set BAILEY_CHROMIUM.`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] });
  const context = await browser.newContext();
  const [name, ...value] = sessionCookie.split("=");
  await context.addCookies([{ name: name!, value: value.join("="), url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}/runs`);
  await page.getByRole("heading", { name: "Runs" }).waitFor();

  const samples: Sample[] = [];
  const started = Date.now();
  const call = async (pathname: string, init: RequestInit = {}) => {
    const t0 = performance.now();
    try {
      const response = await fetch(`${base}${pathname}`, { ...init, signal: AbortSignal.timeout(20_000) });
      const body = await response.text();
      samples.push({ at: Date.now() - started, path: pathname, status: response.status, ms: performance.now() - t0, body });
    } catch (error) {
      samples.push({ at: Date.now() - started, path: pathname, status: 0, ms: performance.now() - t0, body: String(error) });
    }
  };
  const clients = Array.from({ length: 4 }, (_, index) =>
    (async () => {
      while (loadRunning) {
        if (index === 3) await call("/api/health");
        else await call("/api/v1/runs?limit=20", { headers: auth });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })(),
  );

  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const stoppedAt = Date.now() - started;
  await postgres.stop();
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  // A write in the outage is refused whole; the client's retry with the same key makes one run.
  const key = `restart-${Date.now()}`;
  const duringOutage = await fetch(`${base}/api/v1/runs`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ image: "busybox", command: ["true"] }),
  });
  const outageBody = await duringOutage.json();
  await page.goto(`${base}/runs`);
  const errorPage = page.locator("main[role=alert]");
  const errorShown = await errorPage
    .filter({ hasText: "This page could not be loaded" })
    .waitFor({ timeout: 15_000 })
    .then(
      () => true,
      () => false,
    );
  const errorText = errorShown ? await errorPage.innerText() : await page.content();
  const restartedAt = Date.now() - started;
  postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort });
  let recoveredAt = -1;
  for (let i = 0; i < 300 && recoveredAt < 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const recent = samples.filter((s) => s.at > restartedAt && s.path !== "/api/health");
    if (recent.slice(-3).length === 3 && recent.slice(-3).every((s) => s.status === 200)) recoveredAt = recent.at(-3)!.at;
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  loadRunning = false;
  await Promise.all(clients);

  const outage = samples.filter((s) => s.at > stoppedAt + 500 && s.at < restartedAt);
  const statuses = (list: Sample[]) => [...new Set(list.map((s) => s.status))].sort();
  console.log(
    `[pg-restart] ${samples.length} requests; before: ${statuses(samples.filter((s) => s.at < stoppedAt))}; outage (${restartedAt - stoppedAt} ms): ${outage.length} requests, statuses ${statuses(outage)}, slowest ${Math.max(...outage.map((s) => s.ms)).toFixed(0)} ms; recovered ${recoveredAt - restartedAt} ms after Postgres was started again`,
  );
  assert.deepEqual(
    samples.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503)).map((s) => `${s.at} ${s.path} ${s.status} ${s.body.slice(0, 200)}`),
    [],
    "no 500, no dropped connection, no hang",
  );
  assert.ok(outage.length > 10, "requests kept coming during the outage");
  assert.deepEqual(statuses(outage), [503], "every request in the outage was answered 503");
  const apiOutage = outage.find((s) => s.path !== "/api/health")!;
  assert.match(JSON.parse(apiOutage.body).error.message, /database/i, "the 503 says the database is the problem");
  // Unauthenticated callers learn that the database is away, never the driver's words (its address, user).
  const healthOutage = outage.filter((s) => s.path === "/api/health");
  assert.ok(healthOutage.length > 0, "health was probed during the outage");
  for (const sample of healthOutage) {
    assert.deepEqual(Object.keys(JSON.parse(sample.body)).sort(), ["database", "message", "status"], sample.body);
    assert.doesNotMatch(sample.body, /127\.0\.0\.1|ECONNREFUSED|connect|postgres(ql)?:|:\d{4,5}\b/i, "no driver text in /api/health");
  }
  assert.equal(duringOutage.status, 503);
  assert.equal(duringOutage.headers.get("retry-after"), "5", "and when to retry");
  assert.equal(outageBody.error.code, "UNAVAILABLE");
  assert.ok(recoveredAt > 0, "the API answered 200 again without a restart of Bailey");
  assert.equal(launcher.child.exitCode, null, "Bailey stayed up through the outage");
  assert.ok(errorShown, `in the outage the dashboard shows its own error page; it showed:\n${errorText.slice(0, 2000)}`);
  assert.match(errorText, /database is restarting/);
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("heading", { name: "Runs" }).waitFor({ timeout: 15_000 });
  assert.equal(await page.getByText("This page could not be loaded").count(), 0, "Try again loads the page once the database is back");
  await waitForOutput(launcher, /scheduler: the database is back/, 15_000);
  assert.equal(launcher.output().match(/the database is unreachable; retrying/g)?.length, 1, "the scheduler said the outage once");
  assert.doesNotMatch(launcher.output(), /unexpected error/, "no request failed with an unexplained error");

  const retried = await fetch(`${base}/api/v1/runs`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ image: "busybox", command: ["true"] }),
  });
  assert.equal(retried.status, 201, "the retried write is taken once the database is back");
  const again = await fetch(`${base}/api/v1/runs`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ image: "busybox", command: ["true"] }),
  });
  assert.equal(again.status, 200, "and only once");
});
