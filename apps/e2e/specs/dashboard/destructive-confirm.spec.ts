import { expect, test } from "../../fixtures/test";

// Tailwind 4's colours as Chromium reports them computed. The theme has red-600 as
// oklch(57.7% 0.245 27.325) and zinc-900 as oklch(21% 0.006 285.885); the production build
// (Lightning CSS) compiles them to lab() (hex fallbacks #e40014 and #18181b), and Chromium
// reports the lab() value.
const red600 = "lab(48.4493 77.4328 61.5452)";
const zinc900 = "lab(8.30603 0.618205 -2.16572)";
const white = "rgb(255, 255, 255)";
const transparent = "rgba(0, 0, 0, 0)";

// The confirm button of every ConfirmButton (Revoke, Destroy, Remove, Stop) is the destructive
// variant. It once rendered black: the base bg-zinc-900 won over the caller's bg-red-600 in the CSS.
test("a token's Revoke asks first, and its confirm button is red", async ({ page, owner, signInPage }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/tokens");
  await page.getByLabel("Name", { exact: true }).fill("red-confirm");
  const create = page.getByRole("button", { name: "Create token" });
  await page.mouse.move(0, 0); // hover colours are other colours: keep the pointer off the buttons
  await expect(create).toHaveCSS("background-color", zinc900); // primary keeps its look
  await create.click();
  await page.getByRole("button", { name: "Done" }).click();

  const row = page.locator('tr[data-token="red-confirm"]');
  const revoke = row.getByRole("button", { name: "Revoke" });
  await page.mouse.move(0, 0);
  await expect(revoke).toHaveCSS("background-color", transparent); // the opener stays secondary
  await revoke.click();
  const dialog = page.getByRole("dialog", { name: "Revoke red-confirm?" });
  await page.mouse.move(0, 0);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toHaveCSS("background-color", transparent);
  const confirm = dialog.getByRole("button", { name: "Revoke token" });
  await expect(confirm).toHaveCSS("background-color", red600);
  await expect(confirm).toHaveCSS("color", white);
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("revoked");
});
