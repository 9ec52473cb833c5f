import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { artifactPath, expectedArtifactBytes, resultsRepository, workspaceCommand } from "../../fixtures/git-repository";
import { expect, test } from "../../fixtures/test";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey and the git daemon).`);
  return value;
};
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

// The Automation team (seed-api.ts) has the e2e SSH host: a real agent on this machine's Docker
// (gVisor by default), which clones the global setup's bare repository from a real git daemon.
test("a member starts a workspace run from the New run form; it edits a file and commits, and the Results section shows the diff and downloads the artifact", async ({ page, signInPage }) => {
  test.setTimeout(420_000);
  const suffix = randomBytes(4).toString("hex");
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `results-${suffix}@e2e.bailey.test`, password: `results password ${suffix}` };
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Results member", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
  } finally {
    await prisma.$disconnect();
  }

  await signInPage.goto();
  await signInPage.signIn(account.email, account.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/runs/new");
  await page.getByLabel("Image", { exact: true }).fill("bailey-test/git:latest");
  await page.getByLabel("Command").fill(workspaceCommand(suffix));
  await page.getByLabel("Name").fill(`results-${suffix}`);

  // What needs a repository says so beside its field, before anything is sent.
  await page.getByLabel("Push to branch").fill(`bailey/e2e-${suffix}`);
  await page.getByLabel("Run as user").fill("agent");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.locator('[data-field="pushBranch"]').getByRole("alert")).toContainText("Pushing needs a repository");
  await expect(page.locator('[data-field="user"]').getByRole("alert")).toContainText("numeric uid");
  await page.getByLabel("Push to branch").fill("");
  await page.getByLabel("Run as user").fill("");

  // The server checks the URL's syntax (a local path is refused), and its error lands beside the field.
  await page.getByLabel("Git repository").fill("/srv/git/e2e-results.git");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.locator('[data-field="workspaceGit"]').getByRole("alert")).toContainText(/git remote URL|local paths/);

  await page.getByLabel("Git repository").fill(env("BAILEY_E2E_GIT_URL"));
  await page.getByLabel("Ref", { exact: true }).fill("main");
  await page.getByLabel("Artifacts").fill("out/*.txt");
  await page.getByLabel("Push to branch").fill(`bailey/e2e-${suffix}`);
  await shot(page, "new-run-workspace");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL((url) => /^\/runs\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== "/runs/new");

  await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 300_000 });
  await expect(page.getByTestId("run-logs")).toContainText(`workspace-run-${suffix} as 1000 in /workspace`, { timeout: 30_000 });

  const results = page.getByTestId("run-results");
  await expect(results).toHaveAttribute("data-state", "complete", { timeout: 60_000 });
  await expect(page.getByTestId("run-results-workspace")).toContainText(env("BAILEY_E2E_GIT_URL"));
  await expect(page.getByTestId("run-results-commits")).toContainText(env("BAILEY_E2E_GIT_MAIN_COMMIT").slice(0, 12));
  await expect(page.getByTestId("run-results-commits")).not.toContainText("no new commits");
  // Pushed to the git:// remote: no forge page to link, so the branch is text.
  const pushed = page.getByTestId("run-results-pushed");
  await expect(pushed).toContainText(`bailey/e2e-${suffix}`);
  await expect(pushed.getByRole("link")).toHaveCount(0);

  // The diff: the edited file and the new artifact, each with its counts; the changed line drawn with highlighting.
  const diff = page.getByTestId("run-diff");
  await expect(diff.getByTestId("run-diff-summary")).toContainText("2 files changed");
  const edited = diff.locator(`[data-testid="run-diff-file"][data-path="${resultsRepository.editedFile}"]`);
  await expect(edited.locator("summary")).toContainText("+1");
  await expect(edited.locator("summary")).toContainText("−1");
  const added = edited.locator("td.d2h-ins .d2h-code-line-ctn");
  await expect(added).toContainText(`hello-${suffix}`);
  await expect(edited.locator("td.d2h-del .d2h-code-line-ctn")).toContainText('"hello"');
  // highlight.js coloured the TypeScript: the string literal is a token of its own.
  await expect(added.locator(".hljs-string").first()).toBeVisible();
  // Collapsible: closing the file hides its hunks.
  await edited.locator("summary").click();
  await expect(added).toHaveCount(0);
  await edited.locator("summary").click();
  await expect(added).toContainText(`hello-${suffix}`);
  await expect(diff.getByRole("list", { name: "Changed files" })).toContainText(artifactPath);

  // The artifact downloads with exactly the bytes the run wrote.
  const artifactRow = page.getByTestId("run-artifacts").locator(`tr[data-artifact="${artifactPath}"]`);
  await expect(artifactRow).toContainText("KiB");
  const [download] = await Promise.all([page.waitForEvent("download"), artifactRow.getByRole("link", { name: `Download ${artifactPath}` }).click()]);
  const downloaded = await readFile((await download.path())!);
  expect(sha256(downloaded)).toBe(sha256(expectedArtifactBytes()));
  await expect(artifactRow).toHaveAttribute("data-artifact", artifactPath);
  await expect(artifactRow.locator("td").nth(2)).toHaveAttribute("title", sha256(expectedArtifactBytes()));

  // The commits bundle is there to download too.
  await expect(page.getByTestId("run-bundle-download")).toBeVisible();
  await page.getByTestId("run-results").scrollIntoViewIfNeeded();
  await shot(page, "run-results");

  // The Team page: a member reads the storage total (this run's logs and results at least) and the retention, and cannot change it.
  await page.goto("/team");
  await expect(page.getByTestId("team-storage")).toContainText(/\d+(\.\d)? (KiB|MiB|GiB)/);
  await expect(page.getByTestId("team-retention")).toContainText("30 days");
  await expect(page.getByLabel("Retention (days)")).toHaveCount(0);
  await shot(page, "team-storage");

  // The YAML tab takes a workspace too; a diff of 60 new files draws the first 50 and offers the whole patch.
  await page.goto("/runs/new");
  await page.getByRole("tab", { name: "Paste YAML" }).click();
  await page
    .getByLabel("Run spec (YAML or moat.yaml)")
    .fill(
      [
        `name: many-files-${suffix}`,
        "image: bailey-test/git:latest",
        "workspace:",
        `  git: ${env("BAILEY_E2E_GIT_URL")}`,
        'command: ["/bin/sh", "-c", "cd /workspace && mkdir gen && for i in $(seq 1 60); do echo generated $i > gen/file-$i.txt; done"]',
        "",
      ].join("\n"),
    );
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL((url) => /^\/runs\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== "/runs/new");
  await expect(page.getByTestId("run-timeline")).toContainText("succeeded", { timeout: 300_000 });
  const many = page.getByTestId("run-diff");
  await expect(many.getByTestId("run-diff-summary")).toContainText("60 files changed, +60 −0", { timeout: 60_000 });
  await expect(many.getByTestId("run-diff-file")).toHaveCount(50);
  await expect(many.getByRole("list", { name: "Changed files" }).getByRole("listitem")).toHaveCount(60);
  await expect(many.getByTestId("run-diff-more")).toContainText("10 more files are not shown here");
  await expect(many.getByTestId("run-diff-download-rest")).toHaveAttribute("href", /\/api\/v1\/runs\/[a-z0-9]+\/diff$/);
  await expect(page.getByTestId("run-results-commits")).toContainText("no new commits");
  await shot(page, "run-results-many-files");
});

test("an owner changes the team's retention on the Team page; a bad value is refused beside the field", async ({ page, signInPage, owner }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/team");
  const retention = page.getByLabel("Retention (days)");
  await expect(retention).toHaveValue("30");
  await retention.fill("0");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.locator('[data-field="blobRetentionDays"]').getByRole("alert")).toContainText("from 1 to 3650");
  await retention.fill("45");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Retention saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Retention (days)")).toHaveValue("45");
  await expect(page.getByTestId("team-storage")).toBeVisible();
  await shot(page, "team-retention");
  // Back to the default, for the specs after this one.
  await page.getByLabel("Retention (days)").fill("30");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Retention saved." })).toBeVisible();
});
