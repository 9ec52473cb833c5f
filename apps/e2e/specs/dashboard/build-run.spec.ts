import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey).`);
  return value;
};

// The Automation team (seed-api.ts) has the e2e SSH host, a real agent on this machine's Docker
// (with runsc): the build really runs on its engine's BuildKit, from the local test image.
test("a member builds a run's image from an inline two-stage Dockerfile in the New run form; it runs, its logs show the built file and the timeline the builder", async ({ page, signInPage }) => {
  test.setTimeout(420_000);
  const suffix = randomBytes(4).toString("hex");
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `builder-${suffix}@e2e.bailey.test`, password: `builder password ${suffix}` };
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Build member", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
  } finally {
    await prisma.$disconnect();
  }

  await signInPage.goto();
  await signInPage.signIn(account.email, account.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/runs/new");
  await page.getByRole("radio", { name: "Build from a Dockerfile" }).click();
  await expect(page.getByLabel("Image", { exact: true })).toHaveCount(0);

  // An empty Dockerfile is refused beside its field, before anything is sent.
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.locator('[data-field="dockerfile"]').getByRole("alert")).toContainText("starting with FROM");

  const dockerfile = [
    "FROM bailey-test/busybox:latest AS stage-one",
    "ARG GREETING",
    'RUN echo "$GREETING, made in stage one" > /greeting.txt',
    "FROM bailey-test/busybox:latest",
    "COPY --from=stage-one /greeting.txt /greeting.txt",
  ].join("\n");
  await page.getByLabel("Dockerfile").fill(dockerfile);
  await page.getByLabel("Build arguments").fill(`GREETING=hello-${suffix}`);
  await page.getByLabel("Command").fill("cat /greeting.txt");
  await page.getByLabel("Name").fill(`built-${suffix}`);
  await shot(page, "new-run-build");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL((url) => /^\/runs\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== "/runs/new");
  const runId = page.url().split("/").at(-1)!;

  await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 300_000 });
  await expect(page.getByTestId("run-logs")).toContainText(`hello-${suffix}, made in stage one`, { timeout: 30_000 });
  const build = page.getByTestId("run-timeline");
  await expect(build.locator('[data-type="build.builder"]')).toContainText(/engine BuildKit|the legacy builder|a BuildKit endpoint|Buildah/);
  await expect(build.locator('[data-type="build.finished"]')).toContainText(/Built with (engine BuildKit|the legacy builder|a BuildKit endpoint|Buildah \(Podman\)) in \d+\.\d s/);
  await expect(build.locator('[data-type="build.failed"]')).toHaveCount(0);
  // The stored spec says what ran: the image built for this run, never pulled.
  await expect(page.getByText(`bailey-build/${runId}:latest`).first()).toBeVisible();
  await shot(page, "run-built");

  // The YAML tab takes build: too; a Dockerfile whose RUN fails fails the run, and the page shows the build's error.
  await page.goto("/runs/new");
  await page.getByRole("tab", { name: "Paste YAML" }).click();
  await page
    .getByLabel("Run spec (YAML or moat.yaml)")
    .fill(`name: broken-${suffix}\nbuild:\n  dockerfileInline: |\n    FROM bailey-test/busybox:latest\n    RUN echo broken-${suffix} && exit 7\ncommand: ["true"]\n`);
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL((url) => /^\/runs\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== "/runs/new");
  await expect(page.getByTestId("run-timeline")).toContainText("failed", { timeout: 300_000 });
  await expect(page.getByTestId("run-timeline").locator('[data-type="build.failed"]')).toContainText(/exit code: 7|returned a non-zero code: 7/);
  await expect(page.getByRole("alert").filter({ hasText: "The run failed" })).toContainText("Building run");
  await expect(page.getByTestId("run-logs")).toContainText(`broken-${suffix}`, { timeout: 30_000 });
  await shot(page, "run-build-failed");
});
