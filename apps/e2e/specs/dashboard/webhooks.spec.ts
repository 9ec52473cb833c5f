import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { APIRequestContext, Page } from "@playwright/test";
import { createApiToken, hashPassword, verifyWebhookSignature } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { addScratchMember } from "@bailey/db/testing";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  type: string;
  runId: string | null;
  answered: number;
}

/**
 * A receiver on loopback, as a team's CI would run one. It answers 500 to the first request
 * for each event that `failFirst` picks (to make Bailey retry), and 200 to everything else.
 */
async function startReceiver(failFirst: (event: { type: string; runId: string | null }) => boolean) {
  const received: Received[] = [];
  const failed = new Set<string>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const payload = JSON.parse(body) as { id: string; type: string; data: { run?: { id: string } } };
      const event = { type: payload.type, runId: payload.data.run?.id ?? null };
      const answered = failFirst(event) && !failed.has(payload.id) ? 500 : 200;
      if (answered === 500) failed.add(payload.id);
      received.push({ headers: request.headers, body, ...event, answered });
      response.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "receiver down for a moment");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bailey-hook`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** An admin with a password in the seeded Automation team (it has the e2e host, so its runs run), and an API token of theirs with the webhooks scopes. */
async function seedWebhooksAdmin() {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const suffix = randomBytes(3).toString("hex");
    const admin = { email: `webhooks-admin-${suffix}@e2e.bailey.test`, password: `webhooks admin ${suffix}` };
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const joined = await addScratchMember(prisma, team.id, { email: admin.email, role: "admin" });
    await prisma.user.update({ where: { id: joined.user.id }, data: { passwordHash: await hashPassword(admin.password) } });
    const { token } = await createApiToken({ prisma, ctx: joined.ctx, name: "webhooks", scopes: ["webhooks:read", "webhooks:write", "runs:read", "runs:write"] });
    return { admin, headers: { authorization: `Bearer ${token}` } };
  } finally {
    await prisma.$disconnect();
  }
}

async function waitForRun(request: APIRequestContext, headers: Record<string, string>, id: string) {
  for (let i = 0; i < 240; i++) {
    const { run } = (await (await request.get(`/api/v1/runs/${id}`, { headers })).json()) as { run: { state: string; exitCode: number | null } };
    if (["succeeded", "failed", "timed_out", "cancelled", "lost"].includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not end within a minute`);
}

const deliveryRow = (page: Page, type: string) => page.getByTestId("delivery-log").locator(`tr[data-event-type="${type}"]`);

test("an admin adds a webhook endpoint, tests it, and sees a run's signed event retried after a 500, then redelivered; edit, rotate and delete", async ({ page, request, signInPage }) => {
  test.setTimeout(180_000);
  const { admin, headers } = await seedWebhooksAdmin();
  let runId = "";
  const receiver = await startReceiver((event) => event.type === "run.succeeded" && event.runId === runId);
  try {
    await signInPage.goto();
    await signInPage.signIn(admin.email, admin.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
    await expect(page.getByText("No webhook endpoints")).toBeVisible();
    const form = page.getByRole("form", { name: "Add a webhook endpoint" });

    // Plain http to a public name is refused in the server's words; loopback is allowed.
    await form.getByLabel("URL").fill("http://example.com/hook");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(form.getByRole("alert")).toContainText("plain http is only for loopback and private IP addresses");
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Description").fill("the CI receiver");
    await expect(form.getByRole("checkbox", { name: /run\.succeeded/ })).toBeChecked();
    await form.getByRole("button", { name: "Add endpoint" }).click();

    // The secret, once.
    const secretPanel = page.getByTestId("webhook-secret-panel");
    await expect(secretPanel).toContainText("Bailey shows it only once");
    const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await secretPanel.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    const row = page.locator(`tr[data-webhook="${receiver.url}"]`);
    await expect(row.getByTestId("webhook-events")).toHaveText("run.succeeded, run.failed, run.timed_out");
    await expect(row.getByTestId("webhook-enabled")).toHaveText("enabled");
    await expect(row).toContainText("the CI receiver");
    await page.reload();
    expect(await page.content()).not.toContain(secret);

    // A test event: delivered by the launcher's sender, signed with the secret shown.
    await row.getByRole("button", { name: "Send test" }).click();
    await expect(page.getByRole("status")).toHaveText(`Test event queued for ${receiver.url}.`);
    await expect.poll(() => receiver.received.filter((entry) => entry.type === "webhook.test").length, { timeout: 15_000 }).toBe(1);
    const testRequest = receiver.received.find((entry) => entry.type === "webhook.test")!;
    const testEvent = verifyWebhookSignature(secret, testRequest.headers, testRequest.body);
    expect(() => verifyWebhookSignature(`whsec_${randomBytes(32).toString("base64url")}`, testRequest.headers, testRequest.body)).toThrow(/No webhook-signature matches/);
    const testRow = deliveryRow(page, "webhook.test");
    await expect(testRow.getByTestId("delivery-state")).toHaveText("succeeded");
    await expect(testRow.getByTestId("delivery-status")).toHaveText("200");
    await expect(testRow).toContainText(testEvent.id);

    // A run that exits 0: its run.succeeded event is answered 500 first, retried, then accepted.
    const created = await request.post("/api/v1/runs", { headers, data: { image: "bailey-test/busybox:latest", command: ["true"], name: `webhooks-${randomBytes(3).toString("hex")}` } });
    expect(created.status(), await created.text()).toBe(201);
    runId = ((await created.json()) as { run: { id: string } }).run.id;
    const finished = await waitForRun(request, headers, runId);
    expect([finished.state, finished.exitCode]).toEqual(["succeeded", 0]);
    const forRun = () => receiver.received.filter((entry) => entry.runId === runId);
    await expect.poll(() => forRun().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const runEventId = String(forRun()[0]!.headers["webhook-id"]);
    const runRow = deliveryRow(page, "run.succeeded").filter({ hasText: runEventId });
    await expect(runRow.getByTestId("delivery-state")).toHaveText("pending");
    await expect(runRow.getByTestId("delivery-status")).toContainText("500");
    await expect(runRow.getByTestId("delivery-next")).not.toHaveText("—");
    // The first retry comes about 10 s (±20 %) after the failure.
    await expect(runRow.getByTestId("delivery-state")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(runRow.getByTestId("delivery-attempts")).toHaveText("2");
    await expect(runRow.getByTestId("delivery-requests")).toHaveText("500 → 200");
    await expect(runRow.getByTestId("delivery-next")).toHaveText("—");
    // Exactly one accepted delivery: no more requests come for the event once one was answered 2xx.
    await page.waitForTimeout(3_000);
    expect(forRun().map((entry) => [entry.type, entry.answered])).toEqual([
      ["run.succeeded", 500],
      ["run.succeeded", 200],
    ]);
    const ids = forRun().map((entry) => verifyWebhookSignature(secret, entry.headers, entry.body).id);
    expect(ids).toEqual([runEventId, runEventId]);
    const payload = JSON.parse(forRun()[1]!.body) as { type: string; data: { run: { id: string; state: string; exitCode: number; url: string } } };
    expect([payload.type, payload.data.run.id, payload.data.run.state, payload.data.run.exitCode]).toEqual(["run.succeeded", runId, "succeeded", 0]);
    expect(payload.data.run.url.endsWith(`/runs/${runId}`)).toBe(true);

    // Redeliver: sent again now, with the same webhook-id, logged as a manual request.
    await runRow.getByRole("button", { name: "Redeliver" }).click();
    await expect(runRow.getByTestId("delivery-requests")).toHaveText("500 → 200 → 200 (redelivered)");
    expect(forRun().length).toBe(3);
    expect(verifyWebhookSignature(secret, forRun()[2]!.headers, forRun()[2]!.body).id).toBe(runEventId);

    // The same over REST with the admin's token.
    const listed = (await (await request.get("/api/v1/webhooks", { headers })).json()) as { endpoints: { id: string; url: string }[] };
    const endpoint = listed.endpoints.find((entry) => entry.url === receiver.url)!;
    expect(endpoint).toBeTruthy();
    const deliveries = (await (await request.get(`/api/v1/webhooks/${endpoint.id}/deliveries`, { headers })).json()) as {
      deliveries: { eventType: string; state: string; attemptLog: { statusCode: number; manual: boolean }[] }[];
    };
    const runDelivery = deliveries.deliveries.find((entry) => entry.eventType === "run.succeeded")!;
    expect(runDelivery.attemptLog.map((attempt) => [attempt.statusCode, attempt.manual])).toEqual([
      [500, false],
      [200, false],
      [200, true],
    ]);

    // Edit: every event, then disabled (its Send test button is then off).
    await row.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: `Update webhook ${receiver.url}` });
    await edit.getByRole("checkbox", { name: /All events/ }).check();
    await edit.getByRole("checkbox", { name: /^Enabled/ }).uncheck();
    await edit.getByRole("button", { name: "Update endpoint" }).click();
    await expect(page.getByRole("status")).toHaveText(`Updated ${receiver.url}.`);
    await expect(row.getByTestId("webhook-events")).toHaveText("all events");
    await expect(row.getByTestId("webhook-enabled")).toHaveText("disabled");
    await expect(row.getByRole("button", { name: "Send test" })).toBeDisabled();

    // Rotate: asked first, then a new secret shown once.
    await row.getByRole("button", { name: "Rotate secret" }).click();
    const rotateDialog = page.getByRole("dialog", { name: `Rotate the signing secret of ${receiver.url}?` });
    await rotateDialog.getByRole("button", { name: "Rotate secret" }).click();
    await expect(page.getByTestId("webhook-secret-panel")).toContainText("New signing secret");
    const rotated = (await page.getByTestId("webhook-secret").textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByTestId("webhook-secret-panel").getByRole("button", { name: "Done" }).click();

    // Delete, through the destructive confirm: cancel keeps it, confirm removes it with its log.
    await row.getByRole("button", { name: "Delete" }).click();
    const deleteDialog = page.getByRole("dialog", { name: `Delete the webhook ${receiver.url}?` });
    await deleteDialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row).toBeVisible();
    await row.getByRole("button", { name: "Delete" }).click();
    await deleteDialog.getByRole("button", { name: "Delete endpoint" }).click();
    await expect(row).toHaveCount(0);
    await expect(page.getByText("No webhook endpoints")).toBeVisible();
    expect((await request.get(`/api/v1/webhooks/${endpoint.id}`, { headers })).status()).toBe(404);
  } finally {
    await receiver.close();
  }
});

test("the OpenAPI document served at /api/v1/openapi.json lists the webhook operations with their scopes; a token without them is refused", async ({ request }) => {
  const document = (await (await request.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, { "x-bailey-scope"?: string }>> };
  const ours = Object.entries(document.paths)
    .filter(([path]) => path.startsWith("/webhooks"))
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation["x-bailey-scope"]}`))
    .sort();
  expect(ours).toEqual([
    "DELETE /webhooks/{id} webhooks:write",
    "GET /webhooks webhooks:read",
    "GET /webhooks/{id} webhooks:read",
    "GET /webhooks/{id}/deliveries webhooks:read",
    "PATCH /webhooks/{id} webhooks:write",
    "POST /webhooks webhooks:write",
    "POST /webhooks/deliveries/{id}/redeliver webhooks:write",
    "POST /webhooks/{id}/rotate-secret webhooks:write",
    "POST /webhooks/{id}/test webhooks:write",
  ]);
  // The seeded automation token has runs and hosts scopes only.
  const refused = await request.get("/api/v1/webhooks", { headers: { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` } });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("webhooks:read");
});
