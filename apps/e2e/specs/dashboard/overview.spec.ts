import { randomBytes } from "node:crypto";
import type { Page, TestInfo } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";
import { SignInPage } from "../../pages/sign-in-page";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey).`);
  return value;
};
/** Saved in the test's output directory (test-results/…) and attached to the report. */
const attachShot = async (page: Page, testInfo: TestInfo, name: string) => {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
};

interface Overview {
  totals: { runs: number; failed: number; succeeded: number; queuedNow: number };
  startLatency: { overall: { started: number; p50Ms: number | null; p90Ms: number | null } };
  failuresByHost: { hostName: string | null; failed: number; total: number }[];
  hosts: { name: string; capacity: number; active: number }[];
  runsPerHour: { total: number }[];
}

/** A user with a password in the team, to sign in as. */
async function memberOf(slug: string, teamName: string | null, suffix: string) {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `overview-${slug}-${suffix}@e2e.bailey.test`, password: `overview password ${suffix}` };
  try {
    const team = teamName ? await prisma.team.create({ data: { slug: `${slug}-${suffix}`, name: teamName } }) : await prisma.team.findUniqueOrThrow({ where: { slug } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Overview member", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
  } finally {
    await prisma.$disconnect();
  }
  return account;
}

// The Automation team (seed-api.ts) has the e2e SSH host: a real agent on this machine's Docker.
test("the Overview page draws real runs: per hour by final state, start latency, failures by host and host load, each with its text summary", async ({ page, request, signInPage }, testInfo) => {
  test.setTimeout(240_000);
  const suffix = randomBytes(4).toString("hex");
  const auth = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const overviewNow = async (): Promise<Overview> => {
    const response = await request.get("/api/v1/overview?hours=24", { headers: auth });
    expect(response.status(), await response.text()).toBe(200);
    return response.json();
  };
  const before = await overviewNow();

  // One run that succeeds and one that fails, on the real host.
  const ids: string[] = [];
  for (const [name, command] of [
    [`overview-ok-${suffix}`, ["true"]],
    [`overview-fail-${suffix}`, ["sh", "-c", "exit 3"]],
  ] as const) {
    const created = await request.post("/api/v1/runs", { headers: auth, data: { name, image: "bailey-test/busybox:latest", command } });
    expect(created.status(), await created.text()).toBe(201);
    ids.push((await created.json()).run.id);
  }
  for (const id of ids) {
    await expect.poll(async () => (await (await request.get(`/api/v1/runs/${id}`, { headers: auth })).json()).run.state, { timeout: 120_000, intervals: [500] }).toMatch(/^(succeeded|failed)$/);
  }

  // REST: the two runs moved the counts; the host is listed with its capacity.
  const after = await overviewNow();
  expect(after.totals.runs).toBe(before.totals.runs + 2);
  expect(after.totals.succeeded).toBe(before.totals.succeeded + 1);
  expect(after.totals.failed).toBe(before.totals.failed + 1);
  expect(after.runsPerHour).toHaveLength(24);
  expect(after.startLatency.overall.started).toBe(before.startLatency.overall.started + 2);
  expect(after.startLatency.overall.p50Ms).toBeGreaterThan(0);
  const onHost = after.failuresByHost.find((row) => row.hostName === "e2e-ssh-host");
  expect(onHost?.failed).toBeGreaterThanOrEqual(1);
  expect(after.hosts.map((host) => host.name)).toContain("e2e-ssh-host");
  // A window it cannot draw is refused with what to send instead.
  const refused = await request.get("/api/v1/overview?hours=0", { headers: auth });
  expect(refused.status()).toBe(400);
  expect(await refused.text()).toContain("hours");

  // The page: sign-in still lands on /runs; Overview is in the nav.
  const account = await memberOf("e2e-automation", null, suffix);
  await signInPage.goto();
  await signInPage.signIn(account.email, account.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  const runs = page.getByTestId("chart-runs");
  await expect(runs.getByRole("heading", { name: "Runs per hour, by how they ended" })).toBeVisible();
  await expect(runs.getByTestId("chart-summary")).toHaveText(`${after.totals.runs} runs in the last 24 h, ${after.totals.failed} failed, ${after.totals.succeeded} succeeded.`);
  // Bars are SVG paths recharts draws only for non-zero values: at least the succeeded and the failed one.
  await expect(runs.locator("svg .recharts-bar-rectangle path").first()).toBeVisible();
  expect(await runs.locator("svg .recharts-bar-rectangle path").count()).toBeGreaterThanOrEqual(2);
  await expect(runs.locator('div[role="img"]')).toHaveAttribute("aria-label", /runs in the last 24 h/);

  const latency = page.getByTestId("chart-latency");
  await expect(latency.getByTestId("chart-summary")).toContainText(`${after.startLatency.overall.started} runs started a median`);
  await expect(latency.locator("svg .recharts-line-curve").first()).toBeAttached();

  const failures = page.getByTestId("chart-failures");
  await expect(failures.getByTestId("chart-summary")).toContainText(/\d+ of \d+ runs failed in the last 24 h; most on /);
  await expect(failures.locator('div[role="img"]')).toContainText("e2e-ssh-host");
  expect(await failures.locator("svg .recharts-bar-rectangle path").count()).toBeGreaterThanOrEqual(1);

  const load = page.getByTestId("chart-utilisation");
  await expect(load.getByTestId("chart-summary")).toContainText(/\d+ hosts?: \d+ of \d+ run slots busy now/);
  await expect(load.locator('div[role="img"]')).toContainText("e2e-ssh-host");
  await expect(page.getByTestId("chart-queue").getByTestId("chart-summary")).toBeVisible();
  await attachShot(page, testInfo, "overview-light");

  await page.emulateMedia({ colorScheme: "dark" });
  await expect(runs.getByTestId("chart-summary")).toBeVisible();
  await attachShot(page, testInfo, "overview-dark");
});

test("a team with no runs and no hosts sees what each chart will show, not empty axes", async ({ browser }, testInfo) => {
  const suffix = randomBytes(4).toString("hex");
  const account = await memberOf("overview-new", "New team", suffix);
  const context = await browser.newContext({ baseURL: env("BAILEY_E2E_BASE_URL") });
  const page = await context.newPage();
  try {
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.signIn(account.email, account.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.goto("/overview");
    await expect(page.getByTestId("chart-runs").getByTestId("chart-summary")).toHaveText("No runs in the last 24 h.");
    await expect(page.getByTestId("chart-runs")).toContainText("Runs you start appear here");
    await expect(page.getByTestId("chart-utilisation")).toContainText("Add a host on the Hosts page");
    await expect(page.getByTestId("chart-latency").getByTestId("chart-summary")).toHaveText("No run started in the last 24 h.");
    // No chart draws axes without data.
    await expect(page.locator(".recharts-wrapper")).toHaveCount(0);
    await attachShot(page, testInfo, "overview-empty");
  } finally {
    await context.close();
  }
});
