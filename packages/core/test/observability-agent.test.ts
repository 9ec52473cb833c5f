import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient, type RunState } from "@bailey/db";
import { findFreePort, migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import {
  createLogger,
  createObservabilityEndpoints,
  createRun,
  finalRunStates,
  HostConnections,
  type MetricFamily,
  observeHttpRequest,
  parsePrometheusText,
  runLogger,
  sampleValue,
  setLogger,
  type TeamContext,
  tick,
} from "../src";

/** The web server's request path (apps/web/launcher/web-server.ts): the HTTP hook, then the endpoints. */
async function serve(endpoints: ReturnType<typeof createObservabilityEndpoints>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    observeHttpRequest(request, response);
    if (endpoints(request, response)) return;
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// /metrics, /readyz and run-scoped logs against a real agent behind a real sshd driving Docker
// with gVisor, the scheduler's tick writing to a real Postgres.
describe("observability: /metrics moves with real runs, /readyz follows the database (real agent, Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let worker: AgentHost;
  let connections: HostConnections;
  let ctx: TeamContext;
  let hostId: string;
  let web: { server: Server; url: string };
  const logLines: string[] = [];
  let observedRunId = "";
  const token = "metrics-test-token";

  before(async () => {
    // Every line the core writes during this file, as JSON, to read back.
    setLogger(createLogger({ format: "json", destination: new Writable({ write: (chunk, _encoding, done) => (logLines.push(...String(chunk).split("\n").filter(Boolean)), done()) }) }));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    worker = await startAgentHost({ hostId: `observability-${process.pid}` });
    connections = new HostConnections({ privateKey: worker.privateKey });
    ({ ctx } = await createScratchTeam(prisma, { slug: "observability", name: "Observability", role: "admin" }));
    // The agent's own socket (the `local` transport), not SSH: on this loaded machine each SSH
    // session starts the agent's dial-stdio under tsx, which outlasts the 10 s hello.
    const host = await prisma.host.create({
      data: {
        teamId: ctx.teamId,
        name: worker.hostId,
        transport: "local",
        address: worker.socketPath,
        status: "online",
        capacityRuns: 4,
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        lastSeenAt: new Date(),
      },
    });
    hostId = host.id;
    web = await serve(createObservabilityEndpoints({ prisma: () => prisma, metricsToken: token }));
  });
  after(async () => {
    web?.server.close();
    connections?.close();
    await worker?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  async function scrape(): Promise<Map<string, MetricFamily>> {
    const response = await fetch(`${web.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  }
  const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;

  async function tickUntil(runId: string, done: (state: RunState) => boolean, withinMs = 90_000) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      await tick({ prisma, connections });
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (done(run.state)) return run;
      assert.ok(Date.now() < deadline, `run ${runId} is still ${run.state} (${run.stateReason}) after ${withinMs} ms\n${worker.agent.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it("/metrics needs the bearer token when one is configured", async () => {
    assert.equal((await fetch(`${web.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${web.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-of-same-len" } })).status, 401);
    assert.equal((await fetch(`${web.url}/metrics`, { method: "POST", headers: { Authorization: `Bearer ${token}` } })).status, 405);
  });

  it("a real run moves runs-by-state, the dispatch latency histogram, event ingestion and the queue; /metrics parses strictly", { timeout: 180_000 }, async () => {
    const before = await scrape();
    assert.equal(value(before, "bailey_database_up"), 1);
    assert.equal(value(before, "bailey_hosts", { status: "online" }), 1);
    // Every state is reported, 0 when no run is in it.
    for (const state of ["queued", "running", "succeeded", "failed", "timed_out"]) assert.notEqual(sampleValue(before, "bailey_runs", { state }), undefined, state);

    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo observed; sleep 1"] } });
    const queued = await scrape();
    assert.equal(value(queued, "bailey_run_queue_depth"), value(before, "bailey_run_queue_depth") + 1);
    assert.ok(value(queued, "bailey_run_queue_oldest_age_seconds") >= 0);
    assert.equal(value(queued, "bailey_runs", { state: "queued" }), value(before, "bailey_runs", { state: "queued" }) + 1);

    observedRunId = run.id;
    const ended = await tickUntil(run.id, (state) => finalRunStates.includes(state));
    assert.equal(ended.state, "succeeded", ended.stateReason ?? "");
    const afterRun = await scrape();
    const dispatched = value(afterRun, "bailey_run_dispatch_latency_seconds_count") - value(before, "bailey_run_dispatch_latency_seconds_count");
    const latencySum = value(afterRun, "bailey_run_dispatch_latency_seconds_sum") - value(before, "bailey_run_dispatch_latency_seconds_sum");
    const submittedToStarted = (ended.startedAt!.getTime() - ended.createdAt.getTime()) / 1000;
    console.log(
      `[observability] dispatch latency observed ${dispatched}× (${latencySum.toFixed(3)} s; the run's startedAt - createdAt is ${submittedToStarted.toFixed(3)} s), events ingested ${value(afterRun, "bailey_event_ingest_delay_seconds_count")}`,
    );
    assert.equal(dispatched, 1, "one run started: one dispatch latency observation");
    assert.ok(latencySum > 0 && latencySum < 120, `latency ${latencySum}`);
    // Observed when run.start answered, which is at or after the transition that set startedAt... give or take the write.
    assert.ok(Math.abs(latencySum - submittedToStarted) < 5, `latency ${latencySum} vs startedAt - createdAt ${submittedToStarted}`);
    assert.equal(value(afterRun, "bailey_runs", { state: "succeeded" }), value(before, "bailey_runs", { state: "succeeded" }) + 1);
    assert.equal(value(afterRun, "bailey_run_queue_depth"), 0);
    assert.equal(value(afterRun, "bailey_run_queue_oldest_age_seconds"), 0);
    assert.ok(value(afterRun, "bailey_event_ingest_delay_seconds_count") > value(before, "bailey_event_ingest_delay_seconds_count"), "the run's events were ingested");
    const seenAge = sampleValue(afterRun, "bailey_host_last_seen_age_seconds", { host_id: hostId });
    assert.ok(seenAge !== undefined && seenAge < 30, `host seen ${seenAge} s ago`);
    // The earlier scrapes were timed, under their route pattern and status.
    assert.ok(value(afterRun, "bailey_http_request_duration_seconds_count", { route: "/metrics", status: "200", method: "GET" }) >= 2);
    assert.ok(value(afterRun, "bailey_http_request_duration_seconds_count", { route: "/metrics", status: "401", method: "GET" }) >= 1);
    // Process metrics come along.
    assert.ok(value(afterRun, "process_resident_memory_bytes") > 0);
  });

  it("an agent restart (its connection dropped) counts as an agent reconnect", { timeout: 120_000 }, async () => {
    const before = value(await scrape(), "bailey_agent_reconnects_total", { host_id: hostId });
    await worker.agent.restart();
    const deadline = Date.now() + 60_000;
    let now = before;
    while (now === before && Date.now() < deadline) {
      await tick({ prisma, connections });
      now = value(await scrape(), "bailey_agent_reconnects_total", { host_id: hostId });
    }
    assert.equal(now, before + 1);
  });

  it("log lines about a run are JSON with its runId", async () => {
    // Every line so far is JSON, and each that names the real run carries its id as runId.
    const parsed = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(observedRunId);
    for (const entry of parsed) if (String(entry.msg).includes(observedRunId)) assert.equal(entry.runId, observedRunId, JSON.stringify(entry));
    const runId = "run-log-check";
    runLogger(runId, hostId).warn(`something happened to run ${runId}`);
    const line = logLines.at(-1);
    assert.ok(line);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.runId, runId);
    assert.equal(entry.hostId, hostId);
    assert.equal(entry.level, "warn");
    assert.equal(typeof entry.time, "string");
  });

  it("/livez answers; /readyz is 200 on a migrated database and 503 with a reason otherwise", async () => {
    const live = await fetch(`${web.url}/livez`);
    assert.equal(live.status, 200);
    assert.equal(((await live.json()) as { status: string }).status, "ok");
    assert.equal((await fetch(`${web.url}/readyz`)).status, 200);

    // A database nobody listens on: not ready, and /metrics still answers with bailey_database_up 0.
    const down = createPrismaClient(`postgresql://bailey:bailey@127.0.0.1:${await findFreePort()}/bailey`);
    const downWeb = await serve(createObservabilityEndpoints({ prisma: () => down }));
    try {
      const notReady = await fetch(`${downWeb.url}/readyz`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), { status: "error", reason: "the database is unreachable" });
      assert.equal((await fetch(`${downWeb.url}/livez`)).status, 200, "a database away is not a dead process");
      const metrics = await fetch(`${downWeb.url}/metrics`);
      assert.equal(metrics.status, 200, "process and HTTP metrics still matter with the database away");
      const families = parsePrometheusText(await metrics.text());
      assert.equal(sampleValue(families, "bailey_database_up"), 0);
      assert.equal(sampleValue(families, "bailey_runs", { state: "queued" }), undefined, "no made-up zeros for a database that cannot be read");
    } finally {
      downWeb.server.close();
      await down.$disconnect();
      // Back to the real database for whatever scrapes next.
      createObservabilityEndpoints({ prisma: () => prisma });
    }

    // A reachable database without the migrations: not ready, saying so.
    const empty = await createScratchDatabase();
    const emptyPrisma = createPrismaClient(empty.url);
    const emptyWeb = await serve(createObservabilityEndpoints({ prisma: () => emptyPrisma }));
    try {
      const notMigrated = await fetch(`${emptyWeb.url}/readyz`);
      assert.equal(notMigrated.status, 503);
      assert.match(((await notMigrated.json()) as { reason: string }).reason, /no migrations applied/);
    } finally {
      emptyWeb.server.close();
      await emptyPrisma.$disconnect();
      await empty.drop();
    }
  });
});
