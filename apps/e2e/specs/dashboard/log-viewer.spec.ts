import { randomBytes } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";
import type { SignInPage } from "../../pages/sign-in-page";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey and the SSH host).`);
  return value;
};
const note = (type: string, description: string) => test.info().annotations.push({ type, description });

/** A member of the Automation team (seed-api.ts), whose e2e SSH host runs busybox under gVisor. */
async function signInMember(page: Page, signInPage: SignInPage, suffix: string) {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `logs-${suffix}@e2e.bailey.test`, password: `logs password ${suffix}` };
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Logs member", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
  } finally {
    await prisma.$disconnect();
  }
  await signInPage.goto();
  await signInPage.signIn(account.email, account.password);
  await expect(page).toHaveURL(/\/runs$/);
}

async function startRun(request: APIRequestContext, name: string, script: string): Promise<string> {
  const created = await request.post("/api/v1/runs", {
    headers: { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` },
    data: { name, image: "bailey-test/busybox:latest", sandbox: "gvisor", command: ["sh", "-c", script] },
  });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { run: { id: string } }).run.id;
}

/** Whether the scroller is scrolled to its very end. */
const atBottom = (page: Page) => page.getByTestId("run-logs").evaluate((element) => element.scrollHeight - element.clientHeight - element.scrollTop <= 2);

test("a run's ANSI colours and progress lines render as a terminal shows them; the view follows new output until scrolled up", async ({ page, signInPage, request }) => {
  test.setTimeout(240_000);
  const suffix = randomBytes(4).toString("hex");
  await signInMember(page, signInPage, suffix);
  const runId = await startRun(
    request,
    `colours-${suffix}`,
    [
      "printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m\\n'",
      "printf 'progress  10%%\\rprogress  50%%\\rprogress 100%%\\r\\n'",
      "printf '\\033]0;a window title\\007\\033[?25l\\033[38;5;208mamber\\033[0m\\n'",
      // Enough lines, slowly enough, to watch the view follow them.
      "i=1; while [ $i -le 150 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done",
    ].join("; "),
  );
  await page.goto(`/runs/${runId}`);
  const viewer = page.getByTestId("run-logs");

  // Following: the newest line stays at the bottom while lines arrive.
  await expect(viewer).toContainText("tick 60", { timeout: 120_000 });
  await expect(viewer).toHaveAttribute("data-following", "true");
  expect(await atBottom(page)).toBe(true);
  // Scrolling up stops following: the view stays where the reader put it while output goes on.
  await viewer.hover();
  await page.mouse.wheel(0, -300);
  await expect(viewer).toHaveAttribute("data-following", "false");
  const held = await viewer.evaluate((element) => element.scrollTop);
  const linesThen = Number(await viewer.getAttribute("data-lines"));
  await expect.poll(async () => Number(await viewer.getAttribute("data-lines")), { timeout: 15_000 }).toBeGreaterThan(linesThen + 5);
  expect(await viewer.evaluate((element) => element.scrollTop)).toBe(held);
  expect(await atBottom(page)).toBe(false);
  await shot(page, "log-viewer-paused");
  // The Follow button resumes: back at the end, and staying there.
  await page.getByRole("button", { name: "Follow" }).click();
  await expect(viewer).toHaveAttribute("data-following", "true");
  await expect.poll(() => atBottom(page)).toBe(true);

  await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("log-status")).toHaveText("complete", { timeout: 30_000 });
  await expect(viewer).toHaveAttribute("data-lines", "153");
  await expect(viewer.locator('[data-line="153"]')).toHaveText("tick 150");
  expect(await atBottom(page)).toBe(true);

  // Back to the top (Home on the focused log), where the colours are.
  await viewer.focus();
  await page.keyboard.press("Home");
  await expect(viewer).toHaveAttribute("data-following", "false");
  const first = viewer.locator('[data-line="1"]');
  await expect(first).toHaveText("red bold green");
  const red = first.locator("span", { hasText: /^red$/ });
  const boldGreen = first.locator("span", { hasText: /^bold green$/ });
  // The light theme's palette (log-viewer.module.css): Tailwind's red-700 and green-700.
  await expect(red).toHaveCSS("color", "rgb(185, 28, 28)");
  await expect(red).toHaveCSS("font-weight", "400");
  await expect(boldGreen).toHaveCSS("color", "rgb(21, 128, 61)");
  await expect(boldGreen).toHaveCSS("font-weight", "700");
  // The carriage returns rewrote the line: only its last state shows.
  await expect(viewer.locator('[data-line="2"]')).toHaveText("progress 100%");
  // 256 colours; the title and the cursor mode are dropped, not shown.
  await expect(viewer.locator('[data-line="3"]')).toHaveText("amber");
  await expect(viewer.locator('[data-line="3"] span')).toHaveCSS("color", "rgb(255, 135, 0)");
  const shown = (await viewer.textContent()) ?? "";
  for (const garbage of ["[31m", "[0m", "[1;32m", "\x1b", "window title", "[?25l", "progress  10%", "progress  50%"]) expect(shown, `"${garbage}" shows`).not.toContain(garbage);
  await shot(page, "log-viewer-colours");

  // The dark theme has its own palette (readable on zinc-950).
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(red).toHaveCSS("color", "rgb(248, 113, 113)");
  await expect(boldGreen).toHaveCSS("color", "rgb(74, 222, 128)");
  await shot(page, "log-viewer-colours-dark");
  await page.emulateMedia({ colorScheme: "light" });

  // Search: every match counted and highlighted, stepped through with Enter and the arrows.
  const search = page.getByLabel("Search logs");
  await search.fill("tick 1");
  // tick 1, 10–19, 100–150: 1 + 10 + 51.
  await expect(page.getByTestId("log-search-count")).toHaveText("1 of 62");
  await expect(viewer.locator("mark[data-current]")).toHaveText("tick 1");
  await search.press("Enter");
  await expect(page.getByTestId("log-search-count")).toHaveText("2 of 62");
  await expect(viewer.locator('[data-line="13"] mark[data-current]')).toHaveText("tick 1");
  await page.getByRole("button", { name: "Previous match" }).click();
  await page.getByRole("button", { name: "Previous match" }).click();
  await expect(page.getByTestId("log-search-count")).toHaveText("62 of 62");
  await expect(viewer.locator('[data-line="153"] mark[data-current]')).toBeVisible();
  await search.fill("no such text");
  await expect(page.getByTestId("log-search-count")).toHaveText("no matches");
});

test("a 1,000,000-line log loads, scrolls to its end in under a second, and searches, without freezing the tab", async ({ page, signInPage, request }) => {
  test.setTimeout(300_000);
  const suffix = randomBytes(4).toString("hex");
  // Long tasks (main-thread work over 50 ms) while the log loads, renders and scrolls.
  await page.addInitScript(() => {
    const tasks: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  await signInMember(page, signInPage, suffix);
  const runId = await startRun(request, `million-${suffix}`, "seq 1 1000000");

  // Wait for the run to end, then open its page: the log comes whole from what Bailey stored.
  const headers = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()) as { run: { state: string } }).run.state, { timeout: 180_000, intervals: [1000] })
    .toBe("succeeded");
  const loadStarted = Date.now();
  await page.goto(`/runs/${runId}`);
  const viewer = page.getByTestId("run-logs");
  await expect(page.getByTestId("log-status")).toHaveText("complete", { timeout: 120_000 });
  await expect(viewer).toHaveAttribute("data-lines", "1000000");
  const loadMs = Date.now() - loadStarted;
  const fetched = await page.evaluate(() => {
    const entry = performance.getEntriesByType("resource").find((resource) => resource.name.includes("/logs?")) as PerformanceResourceTiming | undefined;
    return entry ? { ms: Math.round(entry.responseEnd - entry.startTime), bytes: entry.transferSize || entry.encodedBodySize } : null;
  });
  note("load", `page open to 1,000,000 lines shown: ${loadMs} ms; the log request: ${fetched ? `${fetched.ms} ms, ${fetched.bytes} bytes` : "(no timing)"}`);

  // Following by default: the end is already in view. Home goes to the top.
  await expect(viewer.locator('[data-line="1000000"]')).toHaveText("1000000");
  await viewer.focus();
  await page.keyboard.press("Home");
  await expect(viewer.locator('[data-line="1"]')).toHaveText("1");
  await expect(viewer.locator('[data-line="1000000"]')).toHaveCount(0);

  // End, timed in the page: from the key going down to line 1,000,000 drawn inside the viewport.
  await page.evaluate(() => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="run-logs"]')!;
    (window as unknown as { __endMs: Promise<number> }).__endMs = new Promise((resolve) => {
      scroller.addEventListener(
        "keydown",
        () => {
          const started = performance.now();
          const check = () => {
            const row = scroller.querySelector('[data-line="1000000"]');
            const box = scroller.getBoundingClientRect();
            const rect = row?.getBoundingClientRect();
            if (rect && rect.top >= box.top - 1 && rect.bottom <= box.bottom + 1) resolve(performance.now() - started);
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        },
        { once: true, capture: true },
      );
    });
  });
  await page.keyboard.press("End");
  const endMs = await page.evaluate(() => (window as unknown as { __endMs: Promise<number> }).__endMs);
  note("scroll to end", `${endMs.toFixed(0)} ms`);
  expect(endMs).toBeLessThan(1000);
  await expect(viewer.locator('[data-line="1000000"]')).toBeInViewport();

  // The middle is reachable too (the scroll position is scaled past the browsers' height limit).
  await viewer.evaluate((element) => {
    element.scrollTop = (element.scrollHeight - element.clientHeight) / 2;
  });
  await expect(viewer.locator('[data-line="500000"]')).toBeInViewport();
  await shot(page, "log-viewer-million-middle");

  // Search the whole million lines.
  const searchStarted = Date.now();
  await page.getByLabel("Search logs").fill("999999");
  await expect(page.getByTestId("log-search-count")).toHaveText("1 of 1", { timeout: 30_000 });
  note("search", `typed to "1 of 1": ${Date.now() - searchStarted} ms (150 ms of it the typing debounce)`);
  await expect(viewer.locator('[data-line="999999"] mark[data-current]')).toHaveText("999999");
  await expect(viewer.locator('[data-line="999999"]')).toBeInViewport();
  await shot(page, "log-viewer-million-search");

  // Still responsive: a round trip into the page comes back promptly.
  const roundTrips: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    await page.evaluate(() => document.querySelectorAll("[data-line]").length);
    roundTrips.push(Date.now() - started);
  }
  const rendered = await page.evaluate(() => document.querySelectorAll("[data-line]").length);
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  note(
    "responsiveness",
    `evaluate round trips ${roundTrips.join(", ")} ms; ${rendered} line elements in the DOM; long tasks: ${longTasks.length}, longest ${Math.round(Math.max(0, ...longTasks))} ms`,
  );
  expect(Math.max(...roundTrips)).toBeLessThan(1000);
  // Virtualised: a few dozen lines in the DOM, not a million.
  expect(rendered).toBeLessThan(200);
  // No single task froze the tab (2 shared cores here: generous).
  expect(Math.max(0, ...longTasks)).toBeLessThan(3000);
});
