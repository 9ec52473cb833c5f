import { expect, test } from "../../fixtures/test";

const token = () => {
  const value = process.env.BAILEY_E2E_API_TOKEN;
  if (!value) throw new Error("BAILEY_E2E_API_TOKEN is unset: run through `npm test`.");
  return value;
};
const auth = () => ({ authorization: `Bearer ${token()}` });

async function waitForState(request: import("@playwright/test").APIRequestContext, id: string, states: string[]) {
  let run: { state: string; exitCode: number | null; lastError: string | null } = { state: "", exitCode: null, lastError: null };
  for (let i = 0; i < 120; i++) {
    run = (await (await request.get(`/api/v1/runs/${id}`, { headers: auth() })).json()).run;
    if (states.includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} stayed ${run.state} (${run.lastError ?? ""})`);
}

test("an API token runs a container over REST: idempotent create, logs, audit chain", async ({ request }) => {
  expect((await request.get("/api/v1/runs")).status()).toBe(401);
  const spec = { image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo hello from the API"], sandbox: "gvisor" };
  const key = `e2e-${Date.now()}`;
  const created = await request.post("/api/v1/runs", { headers: { ...auth(), "idempotency-key": key }, data: spec });
  expect(created.status()).toBe(201);
  const { run } = await created.json();
  const retried = await request.post("/api/v1/runs", { headers: { ...auth(), "idempotency-key": key }, data: spec });
  expect(retried.status()).toBe(200);
  expect((await retried.json()).run.id).toBe(run.id);
  const conflict = await request.post("/api/v1/runs", { headers: { ...auth(), "idempotency-key": key }, data: { ...spec, command: ["true"] } });
  expect(conflict.status()).toBe(409);

  const finished = await waitForState(request, run.id, ["succeeded", "failed"]);
  expect(finished.state).toBe("succeeded");
  expect(finished.exitCode).toBe(0);
  const logs = await request.get(`/api/v1/runs/${run.id}/logs`, { headers: auth() });
  expect(await logs.text()).toContain("hello from the API");

  const verify = await (await request.get("/api/v1/audit/verify", { headers: auth() })).json();
  expect(verify.valid).toBe(true);
  const audit = await (await request.get(`/api/v1/audit?run=${run.id}`, { headers: auth() })).json();
  const actions = audit.events.map((event: { action: string }) => event.action);
  expect(actions).toEqual(expect.arrayContaining(["run.created", "run.scheduled", "run.provisioning", "run.running", "agent.container.exited", "run.succeeded"]));
});

test("a long run is stopped and destroyed over REST, leaving nothing behind", async ({ request }) => {
  const created = await request.post("/api/v1/runs", { headers: auth(), data: { image: "bailey-test/busybox:latest", command: ["sleep", "300"] } });
  const { run } = await created.json();
  await waitForState(request, run.id, ["running"]);
  const stopped = await request.post(`/api/v1/runs/${run.id}/stop?graceSeconds=1`, { headers: auth() });
  expect(stopped.status()).toBe(200);
  expect((await waitForState(request, run.id, ["cancelled"])).state).toBe("cancelled");
  const destroyed = await request.delete(`/api/v1/runs/${run.id}`, { headers: auth() });
  expect(destroyed.status()).toBe(200);
  expect((await destroyed.json()).removed).toContain(`bailey-${run.id}`);
});

test("bad input gets a clear 4xx, never a 5xx", async ({ request }) => {
  const bad = await request.post("/api/v1/runs", { headers: auth(), data: { image: "x", dependencies: ["docker"] } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/docker:host.*docker:dind/);
  const unknown = await request.post("/api/v1/runs", { headers: auth(), data: { image: "x", surprise: true } });
  expect(unknown.status()).toBe(400);
  const huge = await request.post("/api/v1/runs", { headers: { ...auth(), "content-type": "application/json" }, data: JSON.stringify({ image: "x".repeat(2 * 1024 * 1024) }) });
  expect(huge.status()).toBe(413);
  const malformed = await request.post("/api/v1/runs", { headers: { ...auth(), "content-type": "application/json" }, data: "{not json" });
  expect(malformed.status()).toBe(400);
  expect((await request.get("/api/v1/runs/does-not-exist", { headers: auth() })).status()).toBe(404);
  expect((await request.get("/api/v1/runs?limit=5000", { headers: auth() })).status()).toBe(400);
  const openapi = await request.get("/api/v1/openapi.json");
  expect((await openapi.json()).paths["/runs"]).toBeTruthy();
});
