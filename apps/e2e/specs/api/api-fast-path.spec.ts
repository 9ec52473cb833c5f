import { get } from "node:http";
import { gunzipSync } from "node:zlib";
import { createApiToken } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { createScratchTeam } from "@bailey/db/testing";
import { expect, test } from "../../fixtures/test";

// Token reads (GET /api/v1 procedures) are answered by the web server's fast path, not Next
// (apps/web/launcher/api-fast-path.ts); writes, sessions and streams still go through Next.

/** A raw GET, so the test sees the bytes and headers as sent (fetch would decompress). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    }).on("error", reject);
  });
}

test("a token read carries the dashboard's security headers, and a page of 200 runs is gzipped only when asked for", async ({ baseURL }) => {
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 1 });
  try {
    const { team, ctx } = await createScratchTeam(prisma, { slug: "e2e-fast-path", role: "admin" });
    const { token } = await createApiToken({ prisma, ctx, name: "fast-path", scopes: ["runs:read"] });
    const base = Date.now();
    await prisma.run.createMany({
      data: Array.from({ length: 200 }, (_, i) => ({
        teamId: team.id,
        name: `fast-path-${i}-${"x".repeat(200)}`,
        image: "bailey-test/busybox:latest",
        state: "succeeded" as const,
        dependencies: [],
        spec: {},
        createdAt: new Date(base - i * 1000),
      })),
    });
    const url = `${baseURL}/api/v1/runs?limit=200`;
    const auth = { authorization: `Bearer ${token}` };

    const plain = await rawGet(url, { ...auth, "accept-encoding": "identity" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["content-type"]).toContain("application/json");
    expect(plain.headers["x-content-type-options"]).toBe("nosniff");
    expect(plain.headers["x-frame-options"]).toBe("DENY");
    expect(plain.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(plain.body.length).toBeGreaterThan(64 * 1024);
    const page = JSON.parse(plain.body.toString("utf8")) as { runs: { name: string }[] };
    expect(page.runs).toHaveLength(200);
    expect(page.runs[0]!.name).toMatch(/^fast-path-0-/);

    const zipped = await rawGet(url, { ...auth, "accept-encoding": "gzip, deflate" });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.body.length).toBeLessThan(plain.body.length / 4);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);

    // A small answer goes out as it is; an error is the same JSON as through Next.
    const small = await rawGet(`${baseURL}/api/v1/runs?limit=1`, { ...auth, "accept-encoding": "gzip" });
    expect(small.headers["content-encoding"]).toBeUndefined();
    const unscoped = await rawGet(`${baseURL}/api/v1/hosts`, auth);
    expect(unscoped.status).toBe(403);
    expect(JSON.parse(unscoped.body.toString("utf8")).error.message).toContain("hosts:read");
    const unknown = await rawGet(`${baseURL}/api/v1/runs`, { authorization: "Bearer bly_unknown000000_nope" });
    expect(unknown.status).toBe(401);
  } finally {
    await prisma.$disconnect();
  }
});

test("a token revoked in the dashboard is refused by the very next read, though reads of it were just answered from the cache", async ({ page, owner, signInPage, baseURL }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto("/tokens");
  await page.getByLabel("Name", { exact: true }).fill("fast-path-reader");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();
  const read = async () => (await fetch(`${baseURL}/api/v1/runs?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status;
  expect(await read()).toBe(200);

  const row = page.locator('tr[data-token="fast-path-reader"]');
  await row.getByRole("button", { name: "Revoke" }).click();
  // Reads right up to the revocation keep the token fresh in the server's one-second cache.
  let reading = true;
  const keepReading = (async () => {
    while (reading) await read();
  })();
  await page.getByRole("dialog", { name: "Revoke fast-path-reader?" }).getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("revoked");
  reading = false;
  await keepReading;
  // The revoking server forgets the token at once (the 1 s bound is for other replicas).
  expect(await read()).toBe(401);
});
