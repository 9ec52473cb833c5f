import { randomBytes } from "node:crypto";
import { createApiToken, hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { addScratchMember, createScratchTeam } from "@bailey/db/testing";
import { expect, test } from "../../fixtures/test";
import { SignInPage } from "../../pages/sign-in-page";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

/** A team of its own with no host (its runs stay queued), an admin and a member who sign in with passwords, and an admin token. */
async function seedGrantsTeam() {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const suffix = randomBytes(3).toString("hex");
    const admin = { email: `grants-admin-${suffix}@e2e.bailey.test`, password: `grants admin ${suffix}` };
    const member = { email: `grants-member-${suffix}@e2e.bailey.test`, password: `grants member ${suffix}` };
    const { team, user, ctx } = await createScratchTeam(prisma, { slug: `e2e-grants-${suffix}`, name: `Grants ${suffix}`, email: admin.email, role: "admin" });
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(admin.password) } });
    const joined = await addScratchMember(prisma, team.id, { email: member.email, role: "member" });
    await prisma.user.update({ where: { id: joined.user.id }, data: { passwordHash: await hashPassword(member.password) } });
    const { token } = await createApiToken({ prisma, ctx, name: "grants", scopes: ["runs:read", "runs:write", "secrets:read", "secrets:write"] });
    return { admin, member, headers: { authorization: `Bearer ${token}` } };
  } finally {
    await prisma.$disconnect();
  }
}

/** What the agent's egress events add up to, written the way the control plane stores them (no live proxy needed). */
async function insertEgressRows(runId: string, grantName: string) {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const at = new Date();
    await prisma.runEgress.createMany({
      data: [
        { runId, host: "api.example.test", port: 443, decision: "allowed", via: grantName, connections: 3, bytesIn: 5 * 1024 * 1024, bytesOut: 2048, firstAt: at, lastAt: at },
        { runId, host: "registry.npmjs.org", port: 443, decision: "allowed", via: "allow", connections: 1, bytesIn: 700, bytesOut: 300, firstAt: at, lastAt: at },
        { runId, host: "evil.example.test", port: 443, decision: "denied", reason: "not in the run's grants or network.allow", connections: 2, firstAt: at, lastAt: at },
      ],
    });
  } finally {
    await prisma.$disconnect();
  }
}

test("an admin adds, edits and deletes a grant; the team defaults to strict; the New run form names the grant; the run page shows its egress log; a member only reads", async ({
  page,
  browser,
  request,
  signInPage,
}) => {
  test.setTimeout(120_000);
  const { admin, member, headers } = await seedGrantsTeam();
  const secretName = `E2E_GRANT_${randomBytes(3).toString("hex").toUpperCase()}`;
  const secretValue = `grant-secret-${randomBytes(8).toString("hex")}`;
  const grantName = `example-${randomBytes(3).toString("hex")}`;
  expect((await request.post("/api/v1/secrets", { headers, data: { name: secretName, value: secretValue } })).status()).toBe(201);

  await signInPage.goto();
  await signInPage.signIn(admin.email, admin.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Grants" }).click();
  await expect(page.getByRole("heading", { name: "Grants" })).toBeVisible();
  await expect(page.getByText("The run never sees the secret")).toBeVisible();
  const form = page.getByRole("form", { name: "Add a grant" });

  // A host pattern the proxy cannot parse is refused beside the field, in the API's words.
  await form.getByLabel("Name", { exact: true }).fill(grantName);
  await form.getByLabel("Secret").selectOption(secretName);
  await form.getByLabel("Hosts").fill("api.example.test\nhttps://bad.example.test/path");
  await form.getByLabel("Injected as").selectOption("header");
  await form.getByLabel("Header name").fill("X-Api-Key");
  await form.getByRole("button", { name: "Save grant" }).click();
  await expect(form.locator('[data-field="grant-new-hosts"]').getByRole("alert")).toBeVisible();

  await form.getByLabel("Hosts").fill("api.example.test");
  await form.getByLabel("Description").fill("the example API");
  await form.getByRole("button", { name: "Save grant" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved ${grantName}.`);
  const row = page.locator(`tr[data-grant="${grantName}"]`);
  await expect(row.getByTestId("grant-injection")).toHaveText(/header x-api-key/i);
  await expect(row).toContainText("api.example.test");
  await expect(row).toContainText(secretName);
  await expect(row).toContainText("the example API");

  // Edit: Basic auth as a user, and a second host.
  await row.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: `Update ${grantName}` });
  await expect(edit.getByLabel("Name", { exact: true })).toHaveValue(grantName);
  await edit.getByLabel("Hosts").fill("api.example.test\n*.example.test");
  await edit.getByLabel("Injected as").selectOption("basic");
  await edit.getByLabel("User name").fill("x-access-token");
  await edit.getByRole("button", { name: "Update grant" }).click();
  await expect(page.getByRole("status")).toHaveText(`Updated ${grantName}.`);
  await expect(row.getByTestId("grant-injection")).toHaveText("basic as x-access-token");
  await expect(row).toContainText("*.example.test");
  expect(await page.content()).not.toContain(secretValue);

  // The team's default egress policy: strict, on the Team page.
  await page.goto("/team");
  const policy = page.getByRole("form", { name: "Run policy" });
  // The stored policy first: a choice made before it loads would be overwritten by it.
  await expect(policy.getByLabel("Default run timeout (s)")).not.toHaveValue("");
  await expect(policy.getByLabel("Default egress policy")).toHaveValue("open");
  await policy.getByLabel("Default egress policy").selectOption("strict");
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(policy.getByRole("status")).toHaveText("Policy saved.");
  await page.reload();
  await expect(page.getByRole("form", { name: "Run policy" }).getByLabel("Default egress policy")).toHaveValue("strict");

  // A run from the form that names the grant and one allowed host, leaving the policy to the team.
  await page.goto("/runs/new");
  await page.getByLabel("Image").fill("bailey-test/busybox:latest");
  await page.getByLabel("Name").fill(`grants-${grantName}`);
  await page.getByRole("checkbox", { name: new RegExp(grantName) }).check();
  await expect(page.getByLabel("Egress policy")).toHaveValue("");
  await page.getByLabel("Allowed hosts").fill("registry.npmjs.org");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/(?!new$)[^/]+$/);
  const runId = page.url().split("/").at(-1)!;
  const stored = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()).run.spec;
  expect(stored.grants).toEqual([grantName]);
  expect(stored.network).toEqual({ policy: "strict", allow: ["registry.npmjs.org"] });

  const egress = page.getByTestId("run-egress");
  await expect(egress.getByTestId("run-egress-empty")).toHaveText("No connections through the egress proxy yet.");
  await insertEgressRows(runId, grantName);
  // The run is queued (the team has no host), so the page keeps reading the log.
  await expect(egress.locator("tr[data-decision]")).toHaveCount(3);
  await expect(egress.getByTestId("run-egress-totals")).toContainText("Connections allowed: 4, denied: 2");
  const granted = egress.locator('tr[data-egress-host="api.example.test:443"]');
  await expect(granted).toContainText(`grant ${grantName}`);
  await expect(granted).toContainText("5.0 MiB");
  await expect(granted).toContainText("2.0 KiB");
  await expect(egress.locator('tr[data-egress-host="registry.npmjs.org:443"]')).toContainText("network.allow");
  const denied = egress.locator('tr[data-egress-host="evil.example.test:443"]');
  await expect(denied).toHaveAttribute("data-decision", "denied");
  await expect(denied).toContainText("not in the run's grants or network.allow");
  await expect(denied.getByText("denied", { exact: true })).toHaveClass(/text-red-600/);
  await page.screenshot({ path: test.info().outputPath("run-egress-log.png") });

  // A member sees the grant, gets no form and no buttons, and is told who manages grants.
  const other = await browser.newContext();
  try {
    const memberPage = await other.newPage();
    const memberSignIn = new SignInPage(memberPage);
    await memberSignIn.goto();
    await memberSignIn.signIn(member.email, member.password);
    await expect(memberPage).toHaveURL(/\/runs$/);
    await memberPage.goto("/grants");
    const memberRow = memberPage.locator(`tr[data-grant="${grantName}"]`);
    await expect(memberRow).toContainText("basic as x-access-token");
    await expect(memberPage.getByTestId("grants-read-only")).toHaveText("Admins manage grants; you can name these in your runs.");
    await expect(memberPage.getByRole("form", { name: "Add a grant" })).toHaveCount(0);
    await expect(memberRow.getByRole("button")).toHaveCount(0);
  } finally {
    await other.close();
  }

  // Delete asks first; then the list is empty and says what a grant is.
  await page.goto("/grants");
  await expect(row).toContainText("x-access-token");
  await page.waitForLoadState("networkidle");
  await row.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Delete the grant ${grantName}?` });
  await expect(dialog).toContainText(`New runs that name ${grantName} are refused`);
  await dialog.getByRole("button", { name: "Delete grant" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No grants")).toBeVisible();
});
