import { randomBytes } from "node:crypto";
import { createApiToken, resolveMembership } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

/** A registries:read token of the owner's team, to check what the list API answers. */
async function ownerListToken(email: string): Promise<string> {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const membership = (await resolveMembership({ prisma, userId: user.id }))!;
    const ctx = { teamId: membership.team.id, role: membership.role, actor: { type: "user" as const, userId: user.id } };
    return (await createApiToken({ prisma, ctx, name: "registry-list", scopes: ["registries:read"] })).token;
  } finally {
    await prisma.$disconnect();
  }
}

test("an admin adds, replaces and removes a registry credential; the list shows it without the secret, in the page and over the API", async ({ page, request, owner, signInPage }) => {
  const suffix = randomBytes(4).toString("hex");
  const registry = `registry-${suffix}.example.test:5000`;
  const password = `e2e-registry-password-${randomBytes(8).toString("hex")}`;
  const replacement = `e2e-registry-replaced-${randomBytes(8).toString("hex")}`;
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Registries" }).click();
  await expect(page.getByRole("heading", { name: "Registry credentials" })).toBeVisible();
  const form = page.getByRole("form", { name: "Add a registry credential" });

  // Junk is refused beside the field, with what to write instead.
  await form.getByLabel("Registry").fill(`registry-${suffix}.example.test/some/path`);
  await form.getByLabel("Username").fill("robot");
  await form.getByLabel("Password or token").fill(password);
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(form.getByRole("alert")).toContainText("has a path; credentials are per registry");

  await form.getByLabel("Registry").fill(`HTTPS://${registry.toUpperCase()}/`);
  await expect(form.getByLabel("Password or token")).toHaveAttribute("type", "password");
  await form.getByLabel("Password or token").fill(password);
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved the credential for ${registry}.`);
  const row = page.locator(`tr[data-registry="${registry}"]`);
  await expect(row).toContainText("robot");
  await expect(row).toContainText("never");
  await expect(form.getByLabel("Password or token")).toHaveValue("");
  expect(await page.content()).not.toContain(password);

  const token = await ownerListToken(owner.email);
  const listed = await request.get("/api/v1/registry-credentials", { headers: { authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  const listedText = await listed.text();
  expect(listedText).not.toContain(password);
  const mine = (JSON.parse(listedText) as { credentials: Record<string, unknown>[] }).credentials.find((credential) => credential.registry === registry);
  expect(Object.keys(mine ?? {}).sort()).toEqual(["createdAt", "createdBy", "id", "lastUsedAt", "registry", "updatedAt", "username"]);
  expect(mine?.username).toBe("robot");

  // Replace: same registry, new secret; still never shown.
  await row.getByRole("button", { name: "Replace" }).click();
  const replace = page.getByRole("form", { name: `Replace the credential for ${registry}` });
  await expect(replace.getByLabel("Registry")).toHaveValue(registry);
  await replace.getByLabel("Username").fill("robot-2");
  await replace.getByLabel("Password or token").fill(replacement);
  await replace.getByRole("button", { name: "Replace credential" }).click();
  await expect(page.getByRole("status")).toHaveText(`Replaced the credential for ${registry}.`);
  await expect(row).toContainText("robot-2");
  const html = await page.content();
  expect(html).not.toContain(password);
  expect(html).not.toContain(replacement);

  // Remove asks first.
  await row.getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: `Remove the credential for ${registry}?` });
  await expect(dialog).toContainText("anonymous from now on");
  await dialog.getByRole("button", { name: "Remove credential" }).click();
  await expect(row).toHaveCount(0);
  const after = await request.get("/api/v1/registry-credentials", { headers: { authorization: `Bearer ${token}` } });
  expect((await after.json()).credentials.some((credential: { registry: string }) => credential.registry === registry)).toBe(false);
});
