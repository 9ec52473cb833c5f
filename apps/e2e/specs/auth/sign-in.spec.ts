import { expect, test } from "../../fixtures/test";

const sessionCookie = /next-auth\.session-token/;

test("the owner signs in, sees the empty runs page, and signs out", async ({ page, context, owner, signInPage, runsPage }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);

  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await expect(runsPage.heading()).toBeVisible();
  await expect(runsPage.emptyState()).toBeVisible();
  expect((await context.cookies()).some((cookie) => sessionCookie.test(cookie.name))).toBe(true);
  await page.screenshot({ path: test.info().outputPath("runs-empty.png"), fullPage: true });

  await runsPage.signOut();
  await expect(page).toHaveURL(/\/signin/);
  expect((await context.cookies()).some((cookie) => sessionCookie.test(cookie.name))).toBe(false);

  await page.goto("/runs");
  await expect(page).toHaveURL(/\/signin/);
});

test("a wrong password shows an error and sets no session cookie", async ({ page, context, owner, signInPage }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, "not-the-password");
  await expect(signInPage.error()).toHaveText(/Invalid email or password/);
  await expect(page).toHaveURL(/\/signin/);
  expect((await context.cookies()).some((cookie) => sessionCookie.test(cookie.name))).toBe(false);
  await page.screenshot({ path: test.info().outputPath("signin-error.png") });
});

test("the health endpoint reports the database as reachable", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: "reachable" });
});
