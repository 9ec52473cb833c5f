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

// The Automation team (seed-api.ts) has the e2e SSH host: a real agent on this machine's Docker
// (gVisor by default). A run with a 2 s timeout that sleeps 30 s ends timed_out.
test("a run that hits its timeout is timed_out: REST filters it, the runs page's State filter offers it with its badge, the run page explains it", async ({ page, request, signInPage }) => {
  test.setTimeout(180_000);
  const suffix = randomBytes(4).toString("hex");
  const auth = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const name = `timed-out-${suffix}`;
  const created = await request.post("/api/v1/runs", { headers: auth, data: { name, image: "bailey-test/busybox:latest", command: ["sleep", "30"], resources: { timeoutSeconds: 2 } } });
  expect(created.status(), await created.text()).toBe(201);
  const { run } = await created.json();

  // A member of that team signs in with a password (the token's creator has none).
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  const account = { email: `timed-out-${suffix}@e2e.bailey.test`, password: `timed out password ${suffix}` };
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const user = await prisma.user.create({ data: { email: account.email, name: "Timed-out member", passwordHash: await hashPassword(account.password) } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
  } finally {
    await prisma.$disconnect();
  }

  let ended = { state: "", stateReason: null as string | null, exitCode: null as number | null };
  await expect
    .poll(
      async () => {
        ended = (await (await request.get(`/api/v1/runs/${run.id}`, { headers: auth })).json()).run;
        return ended.state;
      },
      { timeout: 90_000, intervals: [500] },
    )
    .toBe("timed_out");
  expect(ended.stateReason).toBe("timed out after 2 s");
  expect(typeof ended.exitCode).toBe("number");

  // REST: ?state=timed_out finds it, and the OpenAPI document offers the value.
  const listed = await (await request.get("/api/v1/runs?state=timed_out", { headers: auth })).json();
  expect(listed.runs.map((row: { id: string }) => row.id)).toContain(run.id);
  expect(listed.runs.every((row: { state: string }) => row.state === "timed_out")).toBe(true);
  const openapi = await (await request.get("/api/v1/openapi.json")).json();
  const stateParameter = openapi.paths["/runs"].get.parameters.find((parameter: { name: string }) => parameter.name === "state");
  expect(JSON.stringify(stateParameter.schema)).toContain('"timed_out"');

  // The runs page: the State filter offers timed_out, and the run is listed with its badge.
  await signInPage.goto();
  await signInPage.signIn(account.email, account.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByLabel("State").selectOption("timed_out");
  const row = page.locator("tr", { has: page.getByRole("link", { name, exact: true }) });
  await expect(row).toContainText("timed_out");
  await expect(row).toContainText("hit its 2 s timeout");
  await expect(page.locator("tbody tr").filter({ hasNotText: "timed_out" })).toHaveCount(0);
  await shot(page, "runs-filter-timed-out");

  // Its page explains the end.
  await row.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The run hit its timeout of 2 s and was stopped" })).toBeVisible();
  await expect(page.getByTestId("run-timeline")).toContainText("timed out after 2 s");
  await shot(page, "run-timed-out");
});
