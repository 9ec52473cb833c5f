import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { pushUniqueTestImage, requireTestRegistries } from "@bailey/runtime/testing";
import { expect, test } from "../../fixtures/test";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey).`);
  return value;
};

// The Automation team (seed-api.ts) has the e2e SSH host, a real agent on this machine's Docker:
// its pulls really fetch from the loopback registry, and images it pulls are this machine's.
test("a run's image pull shows as a progress bar and its digest on the run page; the Hosts page lists cached images and pulls one ahead of runs", async ({ page, request, signInPage }) => {
  test.setTimeout(600_000);
  const registries = await requireTestRegistries();
  const suffix = randomBytes(4).toString("hex");
  // Big enough (random bytes do not compress) for the pull to take a few progress events.
  const big = await pushUniqueTestImage(registries.open, `bailey/e2e-progress-${suffix}`, { padBytes: 300 * 1024 * 1024 });
  const warm = await pushUniqueTestImage(registries.open, `bailey/e2e-prepull-${suffix}`, { padBytes: 1024 * 1024 });
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `images-${suffix}@e2e.bailey.test`, password: `images password ${suffix}` };
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Images admin", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "admin" } });

    await signInPage.goto();
    await signInPage.signIn(account.email, account.password);
    await expect(page).toHaveURL(/\/runs$/);

    const created = await request.post("/api/v1/runs", {
      headers: { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` },
      data: { name: `pull-${suffix}`, image: big.reference, command: ["sh", "-c", "sleep 3; echo pulled and ran"] },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { run } = (await created.json()) as { run: { id: string } };
    await page.goto(`/runs/${run.id}`);

    const pull = page.getByTestId("run-pull");
    await expect(pull).toBeVisible({ timeout: 60_000 });
    await expect(pull.getByRole("progressbar", { name: `Pulling ${big.reference}` })).toBeVisible();
    const seen = new Set<string>();
    for (let i = 0; i < 240 && (await pull.getAttribute("data-state")) !== "pulled"; i++) {
      seen.add(`${await pull.getAttribute("data-state")}: ${await page.getByTestId("run-pull-bytes").textContent()}`);
      if (i === 0) await shot(page, "run-pulling");
      await page.waitForTimeout(250);
    }
    test.info().annotations.push({ type: "pull states seen", description: [...seen].join(" | ") || "(pulled before the page first showed it)" });
    await expect(pull).toHaveAttribute("data-state", "pulled");
    // Done means all of it: bytes done equal the total, which is the padded layer's size at least.
    await expect(page.getByTestId("run-pull-bytes")).toHaveText(/^(\d+) MiB of \1 MiB \(100%\)$/);
    const total = Number((await page.getByTestId("run-pull-bytes").textContent())!.match(/^(\d+)/)![1]);
    expect(total).toBeGreaterThanOrEqual(300);
    await expect(page.getByTestId("run-image-digest")).toHaveText(big.digest);
    await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 120_000 });
    await shot(page, "run-pulled");

    const answered = (await (await request.get(`/api/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` } })).json()) as {
      run: { imageDigest: string; pullProgress: { image: string; bytesDone: number; bytesTotal: number; finishedAt: string | null } };
    };
    expect(answered.run.imageDigest).toBe(big.digest);
    expect(answered.run.pullProgress.image).toBe(big.reference);
    expect(answered.run.pullProgress.bytesDone).toBe(answered.run.pullProgress.bytesTotal);
    expect(answered.run.pullProgress.finishedAt).not.toBeNull();

    // The host lists what it has: the run's image among them, after its pull made the list stale.
    await page.goto("/hosts");
    const images = page.locator('tr[data-host-images="e2e-ssh-host"]');
    await expect(images.getByTestId("host-cached-images")).toContainText(big.reference, { timeout: 30_000 });
    await expect(images.getByTestId("host-cached-images")).not.toContainText(warm.reference);

    // An image no host has, pulled ahead of runs from the Hosts page: a bad name first.
    await page.getByRole("button", { name: "Pull image" }).click();
    const form = page.getByRole("form", { name: "Pull an image" });
    await form.getByLabel("Image").fill("Not An Image!");
    await form.getByLabel("On").selectOption({ label: "e2e-ssh-host" });
    await form.getByRole("button", { name: "Pull" }).click();
    await expect(form.locator('[data-field="pull-image"]').getByRole("alert")).toContainText("image reference");
    await form.getByLabel("Image").fill(warm.reference);
    await form.getByRole("button", { name: "Pull" }).click();
    await expect(form).toHaveCount(0);
    const prePull = images.getByTestId("host-image-pulls").locator(`[data-pull="${warm.reference}"]`);
    await expect(prePull).toBeVisible();
    await expect(prePull).toHaveAttribute("data-state", "done", { timeout: 120_000 });
    await expect(prePull).toContainText(warm.digest.slice("sha256:".length, "sha256:".length + 12));
    await expect(images.getByTestId("host-cached-images")).toContainText(warm.reference, { timeout: 30_000 });
    await shot(page, "hosts-images");
    const audit = await prisma.auditEvent.findFirst({ where: { teamId: team.id, action: "host.image_pull_requested", actorId: user.id } });
    expect(audit?.data).toMatchObject({ image: warm.reference, host: "e2e-ssh-host" });

    // The same over REST: the pull listed for its host, and a label selector no host has refused with what to do.
    const auth = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
    const hostId = (await prisma.host.findFirstOrThrow({ where: { teamId: team.id, name: "e2e-ssh-host" } })).id;
    const listed = (await (await request.get(`/api/v1/hosts/image-pulls?hostId=${hostId}`, { headers: auth })).json()) as { pulls: { image: string; state: string; digest: string | null }[] };
    expect(listed.pulls.find((candidate) => candidate.image === warm.reference)).toMatchObject({ state: "done", digest: warm.digest });
    const nowhere = await request.post("/api/v1/hosts/image-pulls", { headers: auth, data: { image: warm.reference, labels: { pool: `none-${suffix}` } } });
    expect(nowhere.status()).toBe(422);
    expect(((await nowhere.json()) as { error: { message: string } }).error.message).toContain(`pool=none-${suffix}`);
  } finally {
    await prisma.$disconnect();
    // Only what this spec pulled: the images of its own unique repositories.
    execFileSync("sh", ["-c", 'docker image rm -f "$1" "$2" >/dev/null 2>&1 || true', "sh", big.reference, warm.reference]);
  }
});
