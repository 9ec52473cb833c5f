import { randomBytes } from "node:crypto";
import { createApiToken, resolveMembership } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

/** A secrets:read token of the owner's team, to check what the list API answers. */
async function ownerListToken(email: string): Promise<string> {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const membership = (await resolveMembership({ prisma, userId: user.id }))!;
    const ctx = { teamId: membership.team.id, role: membership.role, actor: { type: "user" as const, userId: user.id } };
    return (await createApiToken({ prisma, ctx, name: "secrets-list", scopes: ["secrets:read"] })).token;
  } finally {
    await prisma.$disconnect();
  }
}

test("an admin adds, updates and deletes a secret, listed without its value; a member sees the name but cannot write", async ({ page, browser, request, owner, signInPage }) => {
  const name = `E2E_TOKEN_${randomBytes(4).toString("hex")}`;
  const value = `e2e-secret-value-${randomBytes(8).toString("hex")}`;
  const replacement = `e2e-secret-replaced-${randomBytes(8).toString("hex")}`;
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Secrets" }).click();
  await expect(page.getByRole("heading", { name: "Secrets" })).toBeVisible();
  const form = page.getByRole("form", { name: "Add a secret" });

  // A name that is not env-var-like and file-name-safe is refused beside the field.
  await form.getByLabel("Name").fill("../etc/passwd");
  await form.getByLabel("Value").fill(value);
  await form.getByRole("button", { name: "Save secret" }).click();
  await expect(form.getByRole("alert")).toContainText("a letter or _ first");

  await form.getByLabel("Name").fill(name);
  await expect(form.getByLabel("Value")).toHaveAttribute("type", "password");
  await form.getByLabel("Value").fill(value);
  await form.getByLabel("Description").fill("for the e2e run");
  await form.getByRole("button", { name: "Save secret" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved ${name}.`);
  const row = page.locator(`tr[data-secret="${name}"]`);
  await expect(row).toContainText("for the e2e run");
  await expect(form.getByLabel("Value")).toHaveValue("");
  expect(await page.content()).not.toContain(value);

  // The same name again is a conflict that names it.
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Value").fill("another");
  await form.getByRole("button", { name: "Save secret" }).click();
  await expect(form.getByRole("alert")).toContainText(`already has a secret named "${name}"`);

  const token = await ownerListToken(owner.email);
  const listed = await request.get("/api/v1/secrets", { headers: { authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  const listedText = await listed.text();
  expect(listedText).not.toContain(value);
  const mine = (JSON.parse(listedText) as { secrets: Record<string, unknown>[] }).secrets.find((secret) => secret.name === name);
  expect(Object.keys(mine ?? {}).sort()).toEqual(["createdAt", "createdBy", "description", "id", "name", "updatedAt"]);

  // Update: a new value and description; still never shown.
  await row.getByRole("button", { name: "Update" }).click();
  const update = page.getByRole("form", { name: `Update ${name}` });
  await expect(update.getByLabel("Name")).toHaveValue(name);
  await expect(update.getByLabel("New value")).toHaveValue("");
  await update.getByLabel("New value").fill(replacement);
  await update.getByLabel("Description").fill("rotated");
  await update.getByRole("button", { name: "Update secret" }).click();
  await expect(page.getByRole("status")).toHaveText(`Updated ${name}.`);
  await expect(row).toContainText("rotated");
  const html = await page.content();
  expect(html).not.toContain(value);
  expect(html).not.toContain(replacement);

  // A member joins by invite link: sees the name, gets no form and no buttons, and the API refuses a write.
  await page.goto("/team");
  await page.getByLabel("Role for the invite").selectOption("member");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  const other = await browser.newContext();
  try {
    const member = await other.newPage();
    await member.goto(link);
    await member.getByLabel("Email").fill(`member-${Date.now()}@secrets.test`);
    await member.getByLabel("Password").fill("a member's password");
    await member.getByRole("button", { name: "Create account and join" }).click();
    await expect(member).toHaveURL(/\/runs$/);
    await member.goto("/secrets");
    const memberRow = member.locator(`tr[data-secret="${name}"]`);
    await expect(memberRow).toContainText("rotated");
    await expect(member.getByRole("form", { name: "Add a secret" })).toHaveCount(0);
    await expect(memberRow.getByRole("button")).toHaveCount(0);
    expect(await member.content()).not.toContain(replacement);
    const refused = await member.request.post("/api/trpc/secrets.create", { data: { json: { name: `${name}_MEMBER`, value: "x" } }, headers: { origin: new URL(member.url()).origin } });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain("needs the admin role or higher; you are a member");
  } finally {
    await other.close();
  }

  // Delete asks first.
  await page.goto("/secrets");
  // Fresh page: let its first queries settle, so the confirm click reaches a hydrated, rendered dialog.
  await expect(row).toContainText("rotated");
  await page.waitForLoadState("networkidle");
  await row.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Delete the secret ${name}?` });
  await expect(dialog).toContainText("are refused until a secret of that name is added again");
  await dialog.getByRole("button", { name: "Delete secret" }).click();
  await expect(row).toHaveCount(0);
  const after = await request.get("/api/v1/secrets", { headers: { authorization: `Bearer ${token}` } });
  expect((await after.json()).secrets.some((secret: { name: string }) => secret.name === name)).toBe(false);
});
