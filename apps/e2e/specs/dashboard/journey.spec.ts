import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { startSshd } from "@bailey/agent-client/testing";
import { expect, test } from "../../fixtures/test";

const installer = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../infra/install.sh");
const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
// Tailwind 4's red-600, oklch(57.7% 0.245 27.325), as the build compiles it (lab(), #e40014 fallback) and Chromium reports it.
const red600 = "lab(48.4493 77.4328 61.5452)";

// The whole journey of a team lead, in the browser only: the one exception is running the
// shown install command on the "host" (this machine, as root, behind its own sshd).
test("a team lead runs Bailey from the browser: host, run, logs, stop, audit, tokens, invite", async ({ page, browser, owner, signInPage }) => {
  test.setTimeout(300_000);
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);

  // Add a host: the install command, run on the host, reports back and the host appears online.
  await nav(page, "Hosts").click();
  await expect(page).toHaveURL(/\/hosts$/);
  await expect(page.getByText("No hosts yet")).toBeVisible();
  await shot(page, "hosts-empty");
  await page.getByRole("button", { name: "Add host" }).click();
  await page.getByLabel("Host name").fill("../bad");
  await page.getByRole("button", { name: "Get install command" }).click();
  await expect(page.locator('[data-field="host-name"]').getByRole("alert")).toContainText("host name");
  await page.getByLabel("Host name").fill("browser-host");
  await page.getByLabel("Labels").fill("pool=browser");
  await page.getByRole("button", { name: "Get install command" }).click();
  const installCommand = (await page.getByTestId("install-command").textContent())!.trim();
  expect(installCommand).toMatch(/^printf '%s\\n' blye_\S+ \| sudo bash -c '[^']+' \S+\/install\.sh --enroll-token-file - --control-plane \S+ /);
  await shot(page, "hosts-install-command");
  const sshd = await startSshd({ authorizedKeys: [], user: "bailey", userAuthorizedKeysFile: "/etc/bailey/authorized_keys" });
  try {
    // This machine has no sudo and the test already runs as root.
    const installed = spawnSync("bash", ["-c", `${installCommand.replace("| sudo bash", "| bash")} --ssh-address 127.0.0.1 --ssh-port ${sshd.port} --ssh-host-key ${sshd.hostPublicKeyFile}`], {
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(installed.status, installed.stdout + installed.stderr).toBe(0);
    await expect(page.getByTestId("enrolled-host")).toContainText("online", { timeout: 30_000 });
    await page.getByRole("button", { name: "Done" }).click();
    const hostRow = page.locator('tr[data-host="browser-host"]');
    await expect(hostRow).toContainText("online");
    await expect(hostRow).toContainText("gVisor");
    await expect(hostRow).toContainText("0 / 4");
    await shot(page, "hosts");

    // Start a run from the form: a field error first, shown beside its field, then a real run.
    await nav(page, "Runs").click();
    await expect(page).toHaveURL(/\/runs$/);
    await page.getByRole("link", { name: "New run" }).first().click();
    await page.getByLabel("Image").fill("bailey-test/busybox:latest");
    await page.getByLabel("Memory").fill("lots");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.locator('[data-field="memory"]').getByRole("alert")).toContainText("512m");
    await shot(page, "new-run-error");
    await page.getByLabel("Memory").fill("256m");
    await page.getByLabel("Command").fill("i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done");
    await page.getByLabel("Placement labels").fill("pool=browser");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL((url) => /^\/runs\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== "/runs/new");
    const runId = page.url().split("/").at(-1)!;

    // Its logs stream while it runs.
    await expect(page.getByTestId("run-logs")).toContainText("tick 3", { timeout: 60_000 });
    await expect(page.getByTestId("log-status")).toHaveText("live");
    await expect(page.getByText("running", { exact: true }).first()).toBeVisible();
    await page.getByLabel("Search logs").fill("tick 2");
    // Search highlights and counts the matches (log-viewer.spec.ts has the rest of it).
    await expect(page.getByTestId("run-logs").locator("mark[data-current]")).toHaveText("tick 2");
    await page.getByLabel("Search logs").fill("");
    await expect(page.getByTestId("run-timeline")).toContainText("provisioning");
    await shot(page, "run-live");

    // Stop it, with a confirmation.
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await expect(page.getByRole("dialog", { name: "Stop this run?" })).toBeVisible();
    await page.getByRole("button", { name: "Stop run" }).click();
    await expect(page.getByText("cancelled", { exact: true }).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("log-status")).toHaveText("complete", { timeout: 30_000 });
    await expect(page.getByTestId("run-audit")).toContainText("run.cancelled");
    await shot(page, "run-stopped");

    // The runs list finds it by state, creator and text, and says when nothing matches.
    await nav(page, "Runs").click();
    await expect(page).toHaveURL(/\/runs$/);
    await page.getByLabel("State").selectOption("cancelled");
    await page.getByLabel("Creator").selectOption({ label: `${owner.email} (you)` });
    await expect(page.getByRole("link", { name: runId })).toBeVisible();
    await page.getByLabel("State").selectOption("succeeded");
    await expect(page.getByText("No runs match")).toBeVisible();
    await page.getByLabel("State").selectOption("");
    await page.getByLabel("Search runs").fill(runId.slice(0, 8));
    await expect(page.getByText("No runs match")).toBeVisible();
    await page.getByLabel("Search runs").fill(runId);
    await expect(page.getByRole("link", { name: runId })).toBeVisible();
    await shot(page, "runs");

    // Its events on the audit page, and the chain verifies.
    await nav(page, "Audit").click();
    await expect(page).toHaveURL(/\/audit$/);
    await page.getByLabel("Run", { exact: true }).fill(runId);
    await expect(page.locator('tr[data-action="run.stopping"]')).toBeVisible();
    await expect(page.locator('tr[data-action="run.created"]')).toBeVisible();
    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByTestId("verify-result")).toContainText("The chain is intact");
    await shot(page, "audit");

    // A token: shown once, listed, revoked.
    await nav(page, "Tokens").click();
    await expect(page).toHaveURL(/\/tokens$/);
    await page.getByLabel("Name", { exact: true }).fill("ci-pipeline");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("new-token")).toHaveText(/^bly_[a-z0-9]{12}_\S{43}$/);
    await shot(page, "token-created");
    await page.getByRole("button", { name: "Done" }).click();
    const tokenRow = page.locator('tr[data-token="ci-pipeline"]');
    // Nobody chose a lifetime: it expires in 90 days (the date as the page itself formats it).
    const in90Days = await page.evaluate(() => new Date(Date.now() + 90 * 86_400_000).toLocaleDateString());
    await expect(tokenRow).toContainText(in90Days);
    await tokenRow.getByRole("button", { name: "Revoke" }).click();
    // The confirm button is the red (destructive) one: it once rendered black, bg-zinc-900 winning over bg-red-600.
    const confirmRevoke = page.getByRole("dialog", { name: "Revoke ci-pipeline?" }).getByRole("button", { name: "Revoke token" });
    await page.mouse.move(0, 0); // off the button: hover:bg-red-500 is another red
    await expect(confirmRevoke).toHaveCSS("background-color", red600);
    await confirmRevoke.click();
    await expect(tokenRow).toContainText("revoked");
    await shot(page, "tokens");

    // Invite a viewer by link; they join, see only this team, and no write controls.
    await nav(page, "Team").click();
    await expect(page).toHaveURL(/\/team$/);
    await page.getByLabel("Role for the invite").selectOption("viewer");
    await page.getByRole("button", { name: "Create invite link" }).click();
    const link = (await page.getByTestId("invite-link").textContent())!.trim();
    await shot(page, "team");
    const other = await browser.newContext();
    const viewer = await other.newPage();
    try {
      await viewer.goto(link);
      await expect(viewer.getByRole("heading", { name: /Join .* on Bailey/ })).toBeVisible();
      await viewer.getByLabel("Email").fill("viewer@browser.test");
      await viewer.getByLabel("Password").fill("a viewer's password");
      await viewer.getByRole("button", { name: "Create account and join" }).click();
      await expect(viewer).toHaveURL(/\/runs$/);
      await expect(viewer.getByRole("link", { name: runId })).toBeVisible();
      await expect(viewer.getByText("yaml-agent")).toHaveCount(0); // the Automation team's run
      await expect(viewer.getByRole("link", { name: "New run" })).toHaveCount(0);
      await shot(viewer, "viewer-runs");
      await viewer.getByRole("link", { name: runId }).click();
      await expect(viewer.getByTestId("run-timeline")).toContainText("cancelled");
      await expect(viewer.getByRole("button", { name: "Destroy" })).toHaveCount(0);
      await nav(viewer, "Hosts").click();
      await expect(viewer).toHaveURL(/\/hosts$/);
      await expect(viewer.locator('tr[data-host="browser-host"]')).toBeVisible();
      await expect(viewer.getByRole("button", { name: "Add host" })).toHaveCount(0);
      await expect(viewer.getByRole("button", { name: "Drain" })).toHaveCount(0);
      // The server refuses a viewer's write whatever the UI shows.
      // As the viewer's own browser would send it (same origin), so only the role can refuse it.
      const sameOrigin = { origin: new URL(viewer.url()).origin };
      const forced = await viewer.request.post("/api/trpc/runs.create", { headers: sameOrigin, data: { json: { image: "bailey-test/busybox:latest" } } });
      expect(forced.status()).toBe(403);
      expect(JSON.stringify(await forced.json())).toContain("you are a viewer");
      const forcedDrain = await viewer.request.post("/api/trpc/hosts.drain", { headers: sameOrigin, data: { json: { id: "any" } } });
      expect(forcedDrain.status()).toBe(403);
    } finally {
      await other.close();
    }
    await page.reload();
    await expect(page.locator('tr[data-member="viewer@browser.test"]')).toContainText("viewer");
  } finally {
    await sshd.stop();
    spawnSync("bash", [installer, "--purge"], { encoding: "utf8" });
  }
});
