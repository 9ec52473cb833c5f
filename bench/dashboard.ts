// The dashboard in Chromium against `next start`, with 1,000 runs in the team: for each page,
// the time from navigation until its data is on screen and usable, and the JavaScript it
// loads, beside the sign-in page (the smallest page) measured the same way in the same run.
import { chromium, type Page } from "@playwright/test";
import { createPrismaClient } from "@bailey/db";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import { owner } from "../apps/e2e/fixtures/owner";
import { measure, type BenchRow } from "./measure";

const iterations = Number(process.env.BAILEY_BENCH_PAGE_ITERATIONS ?? 7);
const runsInTeam = 1000;

interface PageCase {
  label: string;
  path: string;
  /** Shown once the page has its data and its controls work. */
  ready: (page: Page) => ReturnType<Page["locator"]>;
}

const cases: PageCase[] = [
  { label: "/runs with 1,000 runs: first 50 rows shown, Load more enabled", path: "/runs", ready: (page) => page.getByRole("button", { name: "Load more" }) },
  { label: "/runs/new: form ready", path: "/runs/new", ready: (page) => page.getByRole("button", { name: "Start run" }) },
  { label: "/hosts: host list (or its empty state) shown", path: "/hosts", ready: (page) => page.getByText("No hosts yet").or(page.locator("tr[data-host]").first()) },
  { label: "/audit: page usable (Verify chain enabled)", path: "/audit", ready: (page) => page.getByRole("button", { name: "Verify chain" }) },
  { label: "/tokens: form ready", path: "/tokens", ready: (page) => page.getByRole("button", { name: "Create token" }) },
  { label: "/team: members shown", path: "/team", ready: (page) => page.locator("tr[data-member]").first() },
];

/** Milliseconds until `ready` is visible and enabled, and the JavaScript bytes the page loaded. */
async function load(page: Page, path: string, ready: PageCase["ready"]): Promise<{ ms: number; scriptBytes: number }> {
  const start = performance.now();
  await page.goto(path, { waitUntil: "commit" });
  const target = ready(page);
  await target.waitFor({ state: "visible", timeout: 30_000 });
  if (await target.evaluate((element) => element.tagName === "BUTTON")) await page.waitForFunction((element) => !(element as HTMLButtonElement).disabled, await target.elementHandle());
  const ms = performance.now() - start;
  const scriptBytes = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === "script")
      .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).decodedBodySize, 0),
  );
  return { ms, scriptBytes };
}

export async function benchDashboard(): Promise<{ rows: BenchRow[]; scripts: { label: string; kib: number }[] }> {
  const teardown = await globalSetup();
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 2 });
  const browser = await chromium.launch({
    executablePath: process.env.BAILEY_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "default" } });
    const states = ["succeeded", "failed", "running", "queued", "cancelled"] as const;
    await prisma.run.createMany({
      data: Array.from({ length: runsInTeam }, (_, i) => ({
        teamId: team.id,
        name: `bench-run-${i}`,
        image: "bailey-test/busybox:latest",
        state: states[i % states.length],
        spec: {},
        createdAt: new Date(Date.now() - i * 60_000),
      })),
    });
    const baseURL = process.env.BAILEY_E2E_BASE_URL!;
    const signedOut = await browser.newPage({ baseURL });
    const scripts: { label: string; kib: number }[] = [];
    let last = 0;
    const baseline = await measure("/signin (baseline): form ready", iterations, async () => {
      const { ms, scriptBytes } = await load(signedOut, "/signin", (page) => page.getByRole("button", { name: "Sign in" }));
      last = scriptBytes;
      return ms;
    });
    scripts.push({ label: "/signin", kib: last / 1024 });
    const page = await browser.newPage({ baseURL });
    await page.goto("/signin");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/runs$/);
    const rows = [baseline];
    for (const item of cases) {
      rows.push(
        await measure(item.label, iterations, async () => {
          const { ms, scriptBytes } = await load(page, item.path, item.ready);
          last = scriptBytes;
          return ms;
        }),
      );
      scripts.push({ label: item.path, kib: last / 1024 });
    }
    return { rows: rows.map((row) => ({ ...row, ratio: row.median / baseline.median })), scripts };
  } finally {
    await browser.close();
    await prisma.$disconnect();
    await teardown();
  }
}
