import { restOperations as operations } from "../../fixtures/rest-operations";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

test("every REST operation refuses a missing token, a token without its scope, and another team", async ({ request }) => {
  const all = operations();
  expect(all.length).toBeGreaterThanOrEqual(16);
  // The one route without a bearer token: its credential is the enrollment token in the body.
  expect(all.filter((op) => op.scope === "public").map((op) => `${op.method} ${op.path}`)).toEqual(["POST /api/v1/hosts/enroll"]);
  const unauthenticated = await request.post("/api/v1/hosts/enroll", { data: { token: `blye_${"x".repeat(43)}`, address: "127.0.0.1", hostKeyFingerprint: `SHA256:${"A".repeat(43)}` } });
  expect(unauthenticated.status()).toBe(401);
  const ops = all.filter((op) => op.scope !== "public");
  for (const op of ops) {
    const call = (token?: string) => request.fetch(op.path, { method: op.method, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(op.method === "POST" ? { data: {} } : {}) });
    const anonymous = await call();
    expect(anonymous.status(), `${op.method} ${op.path} without a token`).toBe(401);
    const narrow = await call(env("BAILEY_E2E_NARROW_TOKEN"));
    if (op.scope === "hosts:read") expect(narrow.status(), `${op.method} ${op.path} with hosts:read`).toBe(op.path.includes("not-a-run") ? 404 : 200);
    else {
      expect(narrow.status(), `${op.method} ${op.path} without ${op.scope}`).toBe(403);
      expect((await narrow.json()).error.message).toContain(op.scope);
    }
  }
});

test("a viewer's token cannot write, and another team sees none of this team's runs", async ({ request }) => {
  const owner = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const created = await request.post("/api/v1/runs", { headers: owner, data: { image: "bailey-test/busybox:latest", command: ["true"] } });
  const { run } = await created.json();

  const viewer = { authorization: `Bearer ${env("BAILEY_E2E_VIEWER_TOKEN")}` };
  expect((await request.get(`/api/v1/runs/${run.id}`, { headers: viewer })).status()).toBe(200);
  const write = await request.post("/api/v1/runs", { headers: viewer, data: { image: "bailey-test/busybox:latest" } });
  expect(write.status()).toBe(403);
  expect((await write.json()).error.message).toMatch(/member role or higher; you are a viewer/);
  expect((await request.post(`/api/v1/runs/${run.id}/stop`, { headers: viewer })).status()).toBe(403);
  expect((await request.delete(`/api/v1/runs/${run.id}`, { headers: viewer })).status()).toBe(403);

  const outsider = { authorization: `Bearer ${env("BAILEY_E2E_OUTSIDER_TOKEN")}` };
  for (const [method, url] of [
    ["GET", `/api/v1/runs/${run.id}`],
    ["GET", `/api/v1/runs/${run.id}/logs`],
    ["POST", `/api/v1/runs/${run.id}/stop`],
    ["DELETE", `/api/v1/runs/${run.id}`],
  ] as const) {
    expect((await request.fetch(url, { method, headers: outsider })).status(), `${method} ${url} from another team`).toBe(404);
  }
  const theirList = await (await request.get("/api/v1/runs", { headers: outsider })).json();
  expect(theirList.runs).toEqual([]);
  expect((await (await request.get("/api/v1/hosts", { headers: outsider })).json()).hosts).toEqual([]);
});
