import { expect, test } from "../../fixtures/test";

test("an admin changes the run policy on the Team page; a member sees the refusal in the new run form, then gets through", async ({ page, browser, owner, signInPage }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/team");
  const policy = page.getByRole("form", { name: "Run policy" });
  await expect(policy.getByLabel("docker:host runs")).toHaveValue("admin");
  await expect(policy.getByLabel("Default run timeout (s)")).toHaveValue("14400");

  // A member joins by invite link.
  await page.getByLabel("Role for the invite").selectOption("member");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  const other = await browser.newContext();
  const member = await other.newPage();
  try {
    await member.goto(link);
    await member.getByLabel("Email").fill(`member-${Date.now()}@policy.test`);
    await member.getByLabel("Password").fill("a member's password");
    await member.getByRole("button", { name: "Create account and join" }).click();
    await expect(member).toHaveURL(/\/runs$/);
    await expect(member.getByRole("heading", { name: "Run policy" })).toHaveCount(0);

    const submitHostRun = async () => {
      await member.goto("/runs/new");
      await member.getByLabel("Image").fill("bailey-test/busybox:latest");
      await member.getByLabel("Docker access").selectOption("docker:host");
      await member.getByRole("button", { name: "Start run" }).click();
    };
    await submitHostRun();
    await expect(member.locator("form").getByRole("alert")).toContainText("docker:host runs need the admin role in team");
    await expect(member.locator("form").getByRole("alert")).toContainText("you are a member");
    await expect(member).toHaveURL(/\/runs\/new$/);

    // The admin lowers it for docker:host only.
    await policy.getByLabel("docker:host runs").selectOption("member");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByRole("status")).toHaveText("Policy saved.");
    await page.reload();
    await expect(page.getByRole("form", { name: "Run policy" }).getByLabel("docker:host runs")).toHaveValue("member");

    await submitHostRun();
    await expect(member).toHaveURL(/\/runs\/(?!new)[a-z0-9]+$/);

    // A bad number is refused in the form, saying what it wants.
    await page.getByLabel("Queued runs cap").fill("lots");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByRole("form", { name: "Run policy" }).getByRole("alert")).toContainText("whole number of runs");
  } finally {
    await other.close();
    // Leave the owner's team as the other specs expect it.
    await page.goto("/team");
    await page.getByRole("form", { name: "Run policy" }).getByLabel("docker:host runs").selectOption("admin");
    await page.getByRole("form", { name: "Run policy" }).getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByRole("form", { name: "Run policy" }).getByRole("status")).toHaveText("Policy saved.");
  }
});
