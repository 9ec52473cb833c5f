import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { SignInPage } from "../../pages/sign-in-page";
import { expect, test } from "../../fixtures/test";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey).`);
  return value;
};
const image = "bailey-test/busybox:latest";

// The Automation team (seed-api.ts) has the e2e SSH host: a real agent on this machine's Docker with gVisor.
test("an admin adds a warm pool on the Hosts page; it fills, a matching run starts warm with its output, and the pool refills; a member cannot add one", async ({
  page,
  browser,
  request,
  signInPage,
  baseURL,
}) => {
  test.setTimeout(420_000);
  const suffix = randomBytes(4).toString("hex");
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const admin = { email: `pools-admin-${suffix}@e2e.bailey.test`, password: `pools admin ${suffix}` };
  const member = { email: `pools-member-${suffix}@e2e.bailey.test`, password: `pools member ${suffix}` };
  const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
  const host = await prisma.host.findFirstOrThrow({ where: { teamId: team.id, name: "e2e-ssh-host" } });
  try {
    for (const [account, role] of [
      [admin, "admin"],
      [member, "member"],
    ] as const) {
      const user = await prisma.user.create({ data: { email: account.email, passwordHash: await hashPassword(account.password) } });
      await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role } });
    }

    await signInPage.goto();
    await signInPage.signIn(admin.email, admin.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.goto("/hosts");
    const pools = page.locator('[data-host-pools="e2e-ssh-host"]');
    await expect(pools).toContainText("none");
    await pools.getByRole("button", { name: "Add pool" }).click();
    const form = pools.getByRole("form", { name: "Add a warm pool" });
    // A bad size first: the form says what to do and adds nothing.
    await form.getByLabel("Image").fill(image);
    await form.getByLabel("Size").fill("51");
    await form.getByRole("button", { name: "Add pool" }).click();
    await expect(form).toContainText("from 0 to 50");
    await form.getByLabel("Size").fill("2");
    await form.getByLabel("Sandbox").selectOption("gvisor");
    await form.getByRole("button", { name: "Add pool" }).click();
    await expect(form).toHaveCount(0);
    const pool = pools.locator(`[data-pool="${image}"][data-sandbox="gvisor"]`);
    await expect(pool).toContainText("size 2");
    const state = pool.getByTestId("pool-state");
    await expect(state).toHaveAttribute("data-idle", "2", { timeout: 180_000 });
    await expect(state).toContainText("idle 2 / starting 0");
    await shot(page, "pool-full");

    const marker = `warm output ${suffix}`;
    const created = await request.post("/api/v1/runs", {
      headers: { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` },
      data: { name: `warm-${suffix}`, image, sandbox: "gvisor", command: ["sh", "-c", `echo ${marker}`] },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { run } = (await created.json()) as { run: { id: string } };

    // While the run takes one container, the Hosts page shows the pool below its size (refilling) at some point, then full again.
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      seen.add(`idle ${await state.getAttribute("data-idle")} starting ${await state.getAttribute("data-starting")}`);
      if ([...seen].some((entry) => entry !== "idle 2 starting 0") && (await state.getAttribute("data-idle")) === "2") break;
      await page.waitForTimeout(150);
    }
    test.info().annotations.push({ type: "pool states seen", description: [...seen].join(" | ") });
    await expect(pool).toContainText("1 claimed", { timeout: 60_000 });
    await expect(state).toHaveAttribute("data-idle", "2", { timeout: 120_000 });

    await page.goto(`/runs/${run.id}`);
    await expect(page.getByTestId("run-start-kind")).toHaveText("warm start", { timeout: 60_000 });
    await expect(page.getByTestId("run-logs")).toContainText(marker, { timeout: 60_000 });
    await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 60_000 });
    await shot(page, "warm-run");
    const stored = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.warmPoolId).not.toBeNull();
    expect(stored.hostId).toBe(host.id);
    expect(stored.exitCode).toBe(0);
    // The pool records are the Hosts page's: it refilled to its size.
    await page.goto("/hosts");
    await expect(state).toHaveAttribute("data-idle", "2", { timeout: 120_000 });

    // A member sees the pool but has no way to add one, and the API refuses it.
    const memberContext = await browser.newContext({ baseURL: baseURL! });
    const memberPage = await memberContext.newPage();
    try {
      const memberSignIn = new SignInPage(memberPage);
      await memberSignIn.goto();
      await memberSignIn.signIn(member.email, member.password);
      await expect(memberPage).toHaveURL(/\/runs$/);
      await memberPage.goto("/hosts");
      const memberPools = memberPage.locator('[data-host-pools="e2e-ssh-host"]');
      await expect(memberPools.locator(`[data-pool="${image}"]`)).toContainText("size 2");
      await expect(memberPools.getByRole("button", { name: "Add pool" })).toHaveCount(0);
      await expect(memberPools.getByRole("button", { name: "Remove" })).toHaveCount(0);
      const refused = await memberPage.request.post("/api/trpc/pools.create", { headers: { origin: baseURL! }, data: { json: { hostId: host.id, image: "alpine:3", size: 1 } } });
      expect(refused.status()).toBe(403);
      expect(await refused.text()).toContain("admin role or higher");
    } finally {
      await memberContext.close();
    }
    expect(await prisma.warmPool.count({ where: { hostId: host.id } })).toBe(1);
  } finally {
    // Drained on the next tick: later specs get cold starts as before.
    await prisma.warmPool.deleteMany({ where: { hostId: host.id } });
    await prisma.$disconnect();
  }
});
