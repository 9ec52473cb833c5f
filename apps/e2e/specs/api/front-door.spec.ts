import { execFileSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};
const auth = () => ({ authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` });

test("the served OpenAPI document is the one the router generates", async ({ request }) => {
  const served = await (await request.get("/api/v1/openapi.json")).json();
  const generated = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/openapi.ts")], { cwd: root, encoding: "utf8" }));
  expect(served).toEqual(generated);
  expect(Object.keys(served.paths).length).toBeGreaterThanOrEqual(12);
});

test("a run on an unreachable host: logs answer 503 with Retry-After over REST and tRPC alike", async ({ request }) => {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 1 });
  // A port nothing listens on: the connection is refused at once.
  const closed = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  try {
    const { hosts } = await (await request.get("/api/v1/hosts", { headers: auth() })).json();
    const teamId = (await prisma.host.findUniqueOrThrow({ where: { id: hosts[0].id } })).teamId;
    const host = await prisma.host.create({
      data: { teamId, name: `unreachable-${Date.now()}`, address: "127.0.0.1", sshPort: closed, hostKeyFingerprint: `SHA256:${"D".repeat(43)}`, status: "online" },
    });
    const run = await prisma.run.create({ data: { teamId, hostId: host.id, spec: { image: "x" }, image: "x", state: "running" } });

    const rest = await request.get(`/api/v1/runs/${run.id}/logs`, { headers: auth() });
    expect(rest.status(), await rest.text()).toBe(503);
    expect(rest.headers()["retry-after"]).toBe("5");
    expect((await rest.json()).error).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining(host.name) });

    const trpc = await request.get(`/api/trpc/runs.logs?input=${encodeURIComponent(JSON.stringify({ json: { id: run.id } }))}`, { headers: auth() });
    expect(trpc.status()).toBe(503);
    expect(trpc.headers()["retry-after"]).toBe("5");
    expect((await trpc.json()).error.json.message).toContain(host.name);

    await prisma.run.delete({ where: { id: run.id } });
    await prisma.host.delete({ where: { id: host.id } });
  } finally {
    await prisma.$disconnect();
  }
});

/** Sends headers and only part of the body, then waits: a server reading the body whole would hang. */
function partialPost(url: URL, headers: Record<string, string>, sendBytes: number): Promise<{ status: number; body: string; sentAll: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const head = [`POST ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "", ""].join("\r\n");
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < sendBytes) {
          sent += chunk.length;
          const frame = headers["transfer-encoding"] === "chunked" ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
          if (!socket.write(frame)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
    let answer = "";
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      setTimeout(() => {
        socket.destroy();
        resolve({ status, body: answer.slice(end + 4), sentAll: false });
      }, 200);
    });
    socket.on("error", (error) => (answer ? undefined : reject(error)));
    setTimeout(() => reject(new Error(`no answer within 15 s: ${answer.slice(0, 200)}`)), 15_000).unref();
  });
}

test("tRPC refuses a body over 1 MiB with 413 before reading it whole or authenticating, and batches past the limit", async ({ baseURL, request }) => {
  const url = new URL("/api/trpc/runs.create", baseURL);
  // Declares 5 MiB, sends 128 KiB, and waits: the answer comes without the rest.
  const declared = await partialPost(url, { "content-type": "application/json", "content-length": String(5 * 1024 * 1024) }, 128 * 1024);
  expect(declared.status).toBe(413);
  expect(declared.body).toContain("larger than 1048576 bytes");
  // Chunked, no length: refused once 1 MiB has arrived, while the client would go on to 5 MiB.
  const streamed = await partialPost(url, { "content-type": "application/json", "transfer-encoding": "chunked" }, 1536 * 1024);
  expect(streamed.status).toBe(413);
  // REST the same, before the token is looked at.
  const rest = await partialPost(new URL("/api/v1/runs", baseURL), { "content-type": "application/json", "content-length": String(5 * 1024 * 1024), authorization: "Bearer bly_unknown" }, 128 * 1024);
  expect(rest.status).toBe(413);

  const calls = Array.from({ length: 21 }, () => "runs.list").join(",");
  const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, index) => [index, { json: {} }]))));
  const batch = await request.get(`/api/trpc/${calls}?batch=1&input=${input}`, { headers: auth() });
  expect(batch.status()).toBe(400);
  expect(await batch.text()).toMatch(/batch/i);
  const allowed = await request.get(
    `/api/trpc/${Array.from({ length: 20 }, () => "runs.list").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 20 }, (_, index) => [index, { json: {} }]))))}`,
    { headers: auth() },
  );
  expect(allowed.status()).toBe(200);
});

test("the session cookie changes nothing from another site: no foreign Origin, no form bodies; the dashboard's headers forbid framing", async ({ page, owner, signInPage, baseURL }) => {
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  const create = { json: { name: "cross-site" } };
  const foreign = await page.request.post("/api/trpc/tokens.create", { headers: { origin: "https://evil.example" }, data: create });
  expect(foreign.status()).toBe(403);
  expect(await foreign.text()).toContain("another site");
  const noOrigin = await page.request.post("/api/trpc/tokens.create", { data: create });
  expect(noOrigin.status()).toBe(403);
  const fetchedCrossSite = await page.request.post("/api/trpc/tokens.create", { headers: { origin: new URL(baseURL!).origin, "sec-fetch-site": "cross-site" }, data: create });
  expect(fetchedCrossSite.status()).toBe(403);
  expect(await fetchedCrossSite.text()).toContain("Sec-Fetch-Site: cross-site");
  const form = await page.request.post("/api/trpc/tokens.create", { headers: { origin: new URL(baseURL!).origin }, multipart: { name: "cross-site", scopes: "runs:read" } });
  expect(form.status()).toBe(400);
  expect(await form.text()).toContain("application/json");
  // The same call from Bailey's own page still works (the origin is the dashboard's).
  const own = await page.request.post("/api/trpc/tokens.create", { headers: { origin: new URL(baseURL!).origin }, data: { json: { name: "same-site", scopes: ["runs:read"] } } });
  expect(own.status(), await own.text()).toBe(200);

  const headers = (await page.request.get("/runs")).headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["strict-transport-security"], "no HSTS while the public URL is http").toBeUndefined();
  // Chromium itself refuses to show the dashboard inside another page's frame.
  await page.setContent(`<iframe title="framed" src="${baseURL}/runs"></iframe>`);
  await expect
    .poll(() =>
      page
        .frames()
        .find((frame) => frame !== page.mainFrame())
        ?.url(),
    )
    .toMatch(/^chrome-error:/);
  // The dashboard still renders and runs its scripts under that policy.
  const violations: string[] = [];
  page.on("console", (message) => (message.text().includes("Content Security Policy") ? violations.push(message.text()) : undefined));
  await page.goto("/hosts");
  await expect(page.getByRole("heading", { name: "Hosts" })).toBeVisible();
  expect(violations).toEqual([]);
});
