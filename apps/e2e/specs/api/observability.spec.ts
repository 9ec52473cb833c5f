import { type MetricFamily, parsePrometheusText, sampleValue } from "@bailey/core";
import { expect, test } from "../../fixtures/test";

const auth = () => {
  const token = process.env.BAILEY_E2E_API_TOKEN;
  if (!token) throw new Error("BAILEY_E2E_API_TOKEN is unset: run through `npm test`.");
  return { authorization: `Bearer ${token}` };
};

// The dashboard server as started for real (launcher → web-server.ts with the scheduler in it):
// /metrics parses strictly and moves with a run on the e2e's real host; the probes answer.
test("/metrics parses and its counters move with a real run; /livez and /readyz answer", async ({ request }) => {
  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const response = await request.get("/metrics");
    expect(response.status()).toBe(200);
    return parsePrometheusText(await response.text());
  };
  const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;

  expect((await request.get("/livez")).status()).toBe(200);
  const ready = await request.get("/readyz");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: "ok" });
  // Every answer names its request id (a Next route as well as the server's own endpoints); a proxy's is kept.
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(health.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect((await request.get("/api/health", { headers: { "X-Request-Id": "proxy-42" } })).headers()["x-request-id"]).toBe("proxy-42");

  const before = await scrape();
  expect(value(before, "bailey_database_up")).toBe(1);
  const created = await request.post("/api/v1/runs", { headers: auth(), data: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo metrics"] } });
  expect(created.status()).toBe(201);
  const { run } = await created.json();
  let state = "";
  for (let i = 0; i < 240 && !["succeeded", "failed"].includes(state); i++) {
    state = (await (await request.get(`/api/v1/runs/${run.id}`, { headers: auth() })).json()).run.state;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(state).toBe("succeeded");
  const after = await scrape();
  expect(value(after, "bailey_runs", { state: "succeeded" })).toBeGreaterThan(value(before, "bailey_runs", { state: "succeeded" }));
  expect(value(after, "bailey_run_dispatch_latency_seconds_count")).toBeGreaterThan(value(before, "bailey_run_dispatch_latency_seconds_count"));
  expect(value(after, "bailey_event_ingest_delay_seconds_count")).toBeGreaterThan(value(before, "bailey_event_ingest_delay_seconds_count"));
  // The REST calls above were timed under their route pattern, the run's id as {id}.
  expect(value(after, "bailey_http_request_duration_seconds_count", { method: "GET", route: "/api/v1/runs/{id}", status: "200" })).toBeGreaterThan(0);
  for (const family of after.values()) for (const sample of family.samples) expect(sample.labels.route ?? "").not.toContain(run.id);
});
