import { execFileSync } from "node:child_process";
import { createPrismaClient } from "@bailey/db";
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

test("a long run's logs stream while it runs; it is stopped and destroyed over REST, leaving nothing behind", async ({ request }) => {
  const created = await request.post("/api/v1/runs", {
    headers: auth(),
    data: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"] },
  });
  const { run } = await created.json();
  await waitForState(request, run.id, ["running"]);

  // follow=true: lines arrive while the run is still running, and the stream ends when it does.
  const followed = await fetch(`${process.env.BAILEY_E2E_BASE_URL}/api/v1/runs/${run.id}/logs?follow=true`, { headers: auth() });
  expect(followed.status).toBe(200);
  const reader = followed.body!.getReader();
  let streamed = "";
  while (!/tick 5\n/.test(streamed)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the log stream ended early: ${streamed}`);
    streamed += new TextDecoder().decode(value);
  }
  expect((await (await request.get(`/api/v1/runs/${run.id}`, { headers: auth() })).json()).run.state).toBe("running");
  expect(streamed).toMatch(/^tick 0\ntick 1\ntick 2\n/);

  const stopped = await request.post(`/api/v1/runs/${run.id}/stop?graceSeconds=1`, { headers: auth() });
  expect(stopped.status()).toBe(200);
  expect((await waitForState(request, run.id, ["cancelled"])).state).toBe("cancelled");
  const destroyed = await request.delete(`/api/v1/runs/${run.id}`, { headers: auth() });
  expect(destroyed.status()).toBe(200);
  expect((await destroyed.json()).removed).toContain(`bailey-${run.id}`);
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
  const leftovers = execFileSync("sh", ["-c", `docker ps -aq --filter label=bailey.run-id=${run.id}; docker network ls -q --filter label=bailey.run-id=${run.id}`], { encoding: "utf8" });
  expect(leftovers.trim(), "no container or network of the run is left").toBe("");
});

test("a follow asked right after the POST waits for the run to start, then streams it to its end", async ({ request }) => {
  const created = await request.post("/api/v1/runs", {
    headers: auth(),
    data: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo first line; sleep 1; echo last line"], sandbox: "gvisor" },
  });
  const { run } = await created.json();
  // Asked before the run can have started (gVisor's start alone takes longer than this request):
  // a plain read says 409 and how to wait, a follow waits instead.
  const followed = fetch(`${process.env.BAILEY_E2E_BASE_URL}/api/v1/runs/${run.id}/logs?follow=true`, { headers: auth() });
  const plain = await request.get(`/api/v1/runs/${run.id}/logs`, { headers: auth() });
  if (plain.status() === 409) expect((await plain.json()).error.message).toMatch(/follow=true waits/);
  const response = await followed;
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("first line\nlast line\n");
});

test("a moat.yaml posted as YAML runs, and what Bailey cannot do yet is reported back", async ({ request }) => {
  const moat = ["agent: yaml-agent", "image: bailey-test/busybox:latest", "dependencies:", "  - node@20", "env:", "  GREETING: 42", "ports: [3000]", "command: echo greeting $GREETING", ""].join("\n");
  const created = await request.post("/api/v1/runs", { headers: { ...auth(), "content-type": "application/yaml" }, data: moat });
  expect(created.status(), await created.text()).toBe(201);
  const body = await created.json();
  expect(body.ignored).toEqual([
    { field: "dependencies[0]", reason: "Bailey does not install language dependencies yet (node@20); use an image that has it" },
    { field: "ports", reason: "Bailey does not publish ports yet" },
  ]);
  expect(body.run.name).toBe("yaml-agent");
  expect((await waitForState(request, body.run.id, ["succeeded", "failed"])).state).toBe("succeeded");
  expect(await (await request.get(`/api/v1/runs/${body.run.id}/logs`, { headers: auth() })).text()).toContain("greeting 42");
  const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "image: x"].join("\n");
  const refused = await request.post("/api/v1/runs", { headers: { ...auth(), "content-type": "application/yaml" }, data: bomb });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error.message).toMatch(/aliases/);
});

test("the audit chain exports as JSON lines, and tampering with one row makes verify name its sequence number", async ({ request }) => {
  const exported = await request.get("/api/v1/audit/export", { headers: auth() });
  expect(exported.headers()["content-type"]).toContain("application/x-ndjson");
  const lines = (await exported.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { kind?: "checkpoint" | "head"; id: string; seq: number; teamId: string; data: unknown; hash: string; prevHash: string; signature?: string });
  // Event lines, then signed checkpoints after their events, and the signed head last.
  expect(lines.at(-1)).toMatchObject({ kind: "head", seq: lines.filter((line) => !line.kind).length });
  expect(lines.at(-1)!.signature).toBeTruthy();
  const events = lines.filter((line) => !line.kind);
  expect(events.length).toBeGreaterThan(5);
  events.forEach((event, index) => {
    expect(event.seq).toBe(index + 1);
    if (index > 0) expect(event.prevHash).toBe(events[index - 1]!.hash);
  });

  const victim = events[Math.floor(events.length / 2)]!;
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 1 });
  try {
    await prisma.$executeRaw`UPDATE "AuditEvent" SET data = ${JSON.stringify({ tampered: true })}::jsonb WHERE id = ${BigInt(victim.id)}`;
    const broken = await (await request.get("/api/v1/audit/verify", { headers: auth() })).json();
    expect(broken).toMatchObject({ valid: false, brokenAtSeq: victim.seq });
    expect(broken.reason).toContain("altered");
  } finally {
    await prisma.$executeRaw`UPDATE "AuditEvent" SET data = ${JSON.stringify(victim.data)}::jsonb WHERE id = ${BigInt(victim.id)}`;
    await prisma.$disconnect();
  }
  expect((await (await request.get("/api/v1/audit/verify", { headers: auth() })).json()).valid).toBe(true);
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
