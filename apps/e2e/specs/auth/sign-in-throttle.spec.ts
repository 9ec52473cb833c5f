import { createPrismaClient } from "@bailey/db";
import { createScratchTeam } from "@bailey/db/testing";
import { hashPassword } from "@bailey/core";
import type { APIRequestContext, Page, Response } from "@playwright/test";
import { expect, test } from "../../fixtures/test";

// Its own account, so the owner the other specs sign in as is never blocked.
const account = { email: "guessed@e2e.bailey.test", password: "the-right-password-9" };
const credentialsCallback = (response: Response) => response.url().includes("/api/auth/callback/credentials") && response.request().method() === "POST";

async function healthLatencies(request: APIRequestContext, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await request.get("/api/health");
    latencies.push(performance.now() - started);
    expect(response.status()).toBe(200);
  }
  return latencies;
}

const p99 = (latencies: number[]) => [...latencies].sort((a, b) => a - b)[Math.ceil(latencies.length * 0.99) - 1]!;

async function submit(page: Page, email: string, password: string): Promise<Response> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([page.waitForResponse(credentialsCallback), page.getByRole("button", { name: "Sign in" }).click()]);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  return response;
}

test.beforeAll(async () => {
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 1 });
  try {
    const { user } = await createScratchTeam(prisma, { slug: "e2e-guessed", name: "Guessed", email: account.email, role: "member" });
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(account.password) } });
  } finally {
    await prisma.$disconnect();
  }
});

test("50 wrong passwords get the account a 429 with Retry-After, the server stays responsive, and the right password works once the block expires", async ({ page, request, signInPage }) => {
  test.setTimeout(240_000);
  const baseline = await healthLatencies(request, 200);

  await signInPage.goto();
  const statuses: number[] = [];
  const attack = (async () => {
    for (let guess = 0; guess < 50; guess += 1) statuses.push((await submit(page, account.email, `guess-number-${guess}`)).status());
  })();
  const [underAttack] = await Promise.all([healthLatencies(request, 200), attack]);
  console.log(`/api/health p99: ${p99(baseline).toFixed(1)} ms before, ${p99(underAttack).toFixed(1)} ms during 50 wrong sign-ins (statuses: ${statuses.join(",")})`);
  expect(p99(underAttack)).toBeLessThan(p99(baseline) * 5 + 1_000);
  expect(
    statuses.slice(0, 10).every((status) => status !== 429),
    "the first 10 failures are checked",
  ).toBe(true);
  expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(30);

  const throttled = await submit(page, account.email, account.password);
  expect(throttled.status()).toBe(429);
  const retryAfter = Number(throttled.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(await throttled.json()).toMatchObject({ retryAfterSeconds: retryAfter });
  await expect(signInPage.error()).toHaveText(new RegExp(`Too many attempts: try again in ${retryAfter} s`));
  await expect(page).toHaveURL(/\/signin/);
  await page.screenshot({ path: test.info().outputPath("signin-throttled.png") });

  await page.waitForTimeout(retryAfter * 1000 + 500);
  const accepted = await submit(page, account.email, account.password);
  expect(accepted.status()).toBe(200);
  await expect(page).toHaveURL(/\/runs$/);

  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 1 });
  try {
    const events = await prisma.auditEvent.findMany({ where: { team: { slug: "e2e-guessed" }, action: { startsWith: "auth.signin_" } }, orderBy: { seq: "asc" } });
    const actions = events.map((event) => event.action);
    expect(actions[0]).toBe("auth.signin_failed");
    expect(actions.filter((action) => action === "auth.signin_blocked").length).toBeGreaterThanOrEqual(1);
    expect(events.length, "coalesced: the first failure and each block, not 50 events").toBeLessThan(12);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain("guess-number");
  } finally {
    await prisma.$disconnect();
  }
});
