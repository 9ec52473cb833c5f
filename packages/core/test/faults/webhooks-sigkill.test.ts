// Fault: the control plane (the scheduler's tick and the webhook sender, one process as in
// `npm start`) dies (SIGKILL) while runs end and their events go out. Afterwards every run's
// final event was delivered, with a valid signature, and recorded as delivered exactly once.
//
// What "exactly one successful delivery" can mean: the sender records a 2xx only after it got
// it, so a kill between the receiver's answer and that record makes another sender send the
// same event again once the dead one's claim runs out. No sender can close that window (to
// record first it would have to know the answer before asking); receivers drop repeats by
// webhook-id. So this test asserts exactly one *recorded* 2xx per event in Postgres, every event
// delivered, and at the receiver each event at least once, any repeat with the same id and
// the same body, and it prints how many repeats the kills caused.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, it } from "node:test";
import { ensureStandinImage, repoRoot, startAgent } from "@bailey/agent/testing";
import { createScratchTeam } from "@bailey/db/testing";
import { createRun, createSecretsKeyFile, createWebhookEndpoint, verifyWebhookSignature } from "../../src";
import { seededRandom, useFaultSetup } from "../support/fault-setup";

const runCount = 100;
const kills = 10;
// Every 10th run's event is answered 500 the first time: it is retried (with backoff) through the kills too.
const failFirst = (index: number) => index % 10 === 4;
const seed = Number(process.env.BAILEY_FAULT_SEED ?? Date.now() % 1_000_000);

const hostId = `whkill-${randomBytes(3).toString("hex")}`;
const setup = useFaultSetup({ hostId, maxConnections: 8 });
const tickProcess = fileURLToPath(new URL("../support/tick-process.ts", import.meta.url));

interface Received {
  id: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}
const received: Received[] = [];
// Waiters for the next request, for kills timed to strike while a delivery is being answered.
let onRequest: (() => void) | null = null;
const answeredFirst = new Set<string>();
let failFirstRunIds = new Set<string>();
const receiver = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const id = String(request.headers["webhook-id"]);
    const runId = (JSON.parse(body) as { data: { run: { id: string } } }).data.run.id;
    const status = failFirstRunIds.has(runId) && !answeredFirst.has(id) ? 500 : 200;
    answeredFirst.add(id);
    received.push({ id, body, headers: request.headers, status });
    response.statusCode = status;
    response.end(status === 200 ? "ok" : "try again");
    onRequest?.();
  });
});

before(async () => {
  await ensureStandinImage();
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
after(() => receiver.close());

function startControlPlane(teamId: string, keyFile: string, deadlineMs = 180_000): { child: ChildProcess; firstTick: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", tickProcess, setup.db.url, teamId, String(Date.now()), "0"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      BAILEY_TICK_TEST_TRACE: "1",
      BAILEY_TICK_TEST_LEASE_MS: "2000",
      BAILEY_TICK_TEST_WEBHOOKS: "1",
      BAILEY_TICK_TEST_WEBHOOK_LEASE_MS: "4000",
      BAILEY_TICK_TEST_DEADLINE_MS: String(deadlineMs),
      BAILEY_SECRETS_KEY_FILE: keyFile,
    },
  });
  let output = "";
  const firstTick = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      if (output.includes("tick")) resolve();
    });
    child.once("exit", () => reject(new Error(`the control plane exited before its first tick:\n${output}`)));
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      if (code) console.error(`[webhooks-sigkill] control plane exited ${code}:\n${output.slice(-3000)}`);
      resolve(code);
    }),
  );
  firstTick.catch(() => undefined);
  return { child, firstTick, exited };
}

/** Resolves once the receiver has answered its next request, or after `ms` (the work may be nearly done). */
function nextRequestOrAfter(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onRequest = null;
      resolve(false);
    }, ms);
    onRequest = () => {
      onRequest = null;
      clearTimeout(timer);
      resolve(true);
    };
  });
}

it(`${runCount} runs' events with the control plane killed ${kills} times: each delivered with a valid signature and recorded delivered exactly once`, { timeout: 600_000 }, async () => {
  const { prisma, dir } = setup;
  const started = Date.now();
  const random = seededRandom(seed);
  console.log(`[webhooks-sigkill] seed ${seed} (set BAILEY_FAULT_SEED to replay the kill instants)`);
  const keyFile = path.join(dir, "secrets-key");
  const key = createSecretsKeyFile(keyFile);
  const agent = await startAgent({ dir, runtime: "docker", hostId, allow: ["sandbox:none"] });
  setup.agents.push(agent);
  const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
  await prisma.host.create({
    data: { teamId: team.id, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 20, status: "online", lastSeenAt: new Date() },
  });
  const { port } = receiver.address() as AddressInfo;
  const { secret } = await createWebhookEndpoint({
    prisma,
    ctx,
    url: `http://127.0.0.1:${port}/bailey`,
    events: ["run.succeeded", "run.failed", "run.timed_out", "run.cancelled", "run.lost"],
    key,
  });
  const runIds: string[] = [];
  for (let i = 0; i < runCount; i++) {
    // sandbox none: plain runc, the cheapest real container.
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", `echo run-${i}`] } });
    runIds.push(run.id);
  }
  failFirstRunIds = new Set(runIds.filter((_, index) => failFirst(index)));

  const delivered = () => prisma.webhookDelivery.count({ where: { teamId: team.id, state: "succeeded" } });
  const observed: { mode: string; finalRuns: number; delivered: number; orphanedClaims: number }[] = [];
  for (let k = 0; k < kills; k++) {
    const controlPlane = startControlPlane(team.id, keyFile);
    await controlPlane.firstTick;
    // Spread over the whole queue: kill k waits until k tenths of the events were recorded
    // delivered, so every process lives long enough to take over what the last one held.
    const target = Math.floor((k * runCount) / (kills + 1));
    for (const deadline = Date.now() + 120_000; Date.now() < deadline && (await delivered()) < target; ) await new Promise((resolve) => setTimeout(resolve, 50));
    // Even kills strike right as the receiver answers (the window between a 2xx and its record);
    // odd ones at a random instant (mid-tick, mid-claim, mid-request).
    let mode: string;
    if (k % 2 === 0) {
      mode = (await nextRequestOrAfter(20_000)) ? "answer" : "no-request";
    } else {
      // A random instant, but before the next tenth is delivered: near the end of the queue the
      // senders can deliver the rest within the wait, and a kill after the last event proves nothing.
      const afterMs = Math.floor(random() * 1_200);
      const nextTarget = Math.floor(((k + 1) * runCount) / (kills + 1));
      const waitStarted = Date.now();
      while (Date.now() - waitStarted < afterMs && (await delivered()) < nextTarget) await new Promise((resolve) => setTimeout(resolve, 10));
      mode = `${Date.now() - waitStarted}ms`;
    }
    controlPlane.child.kill("SIGKILL");
    await controlPlane.exited;
    observed.push({
      mode,
      finalRuns: await prisma.run.count({ where: { teamId: team.id, state: "succeeded" } }),
      delivered: await delivered(),
      // Claimed by the process just killed: a later sender takes them over once the lease runs out.
      orphanedClaims: await prisma.webhookDelivery.count({ where: { teamId: team.id, state: "pending", leaseToken: { not: null } } }),
    });
  }
  console.log(
    `[webhooks-sigkill] after each kill (when / runs succeeded / deliveries recorded / claims orphaned): ${observed.map((o) => `${o.mode}:${o.finalRuns}/${o.delivered}/${o.orphanedClaims}`).join(" ")}`,
  );
  assert.ok(
    observed.every((o) => o.delivered < runCount),
    "every kill struck while some event was still undelivered",
  );
  assert.ok(
    observed.some((o) => o.orphanedClaims > 0),
    "some kill struck while the killed process held a delivery it had claimed, so another process had to take it over",
  );

  const survivor = startControlPlane(team.id, keyFile, 300_000);
  assert.equal(await survivor.exited, 0, "an unharmed control plane finishes the runs and delivers every event");

  const runs = await prisma.run.findMany({ where: { teamId: team.id }, select: { id: true, state: true, stateReason: true, lastError: true } });
  assert.deepEqual(
    runs.filter((run) => run.state !== "succeeded").map((run) => `${run.id} ${run.state}: ${run.stateReason ?? run.lastError}`),
    [],
    "every run succeeded",
  );
  const events = await prisma.webhookEvent.findMany({
    where: { teamId: team.id },
    include: { deliveries: { include: { attemptsLog: { orderBy: { attempt: "asc" } } } } },
  });
  const eventByRun = new Map<string, string[]>();
  for (const event of events) {
    const runId = (event.payload as { data: { run: { id: string } } }).data.run.id;
    eventByRun.set(runId, [...(eventByRun.get(runId) ?? []), event.type]);
  }
  assert.deepEqual(
    runIds.filter((id) => eventByRun.get(id)?.join() !== "run.succeeded"),
    [],
    "each run has exactly one event, run.succeeded (its transition committed once)",
  );
  for (const event of events) {
    assert.equal(event.deliveries.length, 1, `${event.id}: one delivery to the one endpoint`);
    const [delivery] = event.deliveries;
    assert.equal(delivery!.state, "succeeded", `${event.id}: delivered (${delivery!.lastError})`);
    const recorded2xx = delivery!.attemptsLog.filter((a) => a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300);
    assert.equal(recorded2xx.length, 1, `${event.id}: exactly one recorded successful attempt`);
    assert.equal(delivery!.attemptsLog.at(-1)!.id, recorded2xx[0]!.id, `${event.id}: nothing was attempted after the recorded success`);
  }

  // The receiver's side: every request signed and checked as a receiver would; repeats only of the same event and body.
  const bodies = new Map<string, Set<string>>();
  for (const request of received) {
    assert.equal(verifyWebhookSignature(secret, request.headers, request.body).id, request.id);
    bodies.set(request.id, (bodies.get(request.id) ?? new Set()).add(request.body));
  }
  const storedBody = new Map(events.map((event) => [event.id, JSON.stringify(event.payload)]));
  assert.deepEqual([...bodies.keys()].sort(), [...storedBody.keys()].sort(), "the receiver got every event, and no other");
  for (const [id, seen] of bodies) assert.deepEqual([...seen], [storedBody.get(id)], `${id}: every request for it carried the stored body`);
  const accepted = received.filter((r) => r.status === 200);
  const repeats = accepted.length - new Set(accepted.map((r) => r.id)).size;
  // Requests the receiver answered 2xx beyond the first per event: the kills' doing, dropped by webhook-id.
  const retried = runIds.filter((_, index) => failFirst(index));
  for (const runId of retried) {
    const event = events.find((e) => (e.payload as { data: { run: { id: string } } }).data.run.id === runId)!;
    const statuses = received.filter((r) => r.id === event.id).map((r) => r.status);
    assert.equal(statuses[0], 500, `${runId}: first answered 500`);
    assert.ok(statuses.includes(200), `${runId}: then retried until it succeeded`);
  }
  const attempts = events.reduce((sum, e) => sum + e.deliveries[0]!.attemptsLog.length, 0);
  console.log(
    `[webhooks-sigkill] ${kills} kills; ${runs.length} runs, ${events.length} events, each recorded delivered once (${attempts} attempts recorded, ${retried.length} events answered 500 first); ` +
      `the receiver got ${received.length} requests, all signed validly; ${repeats} repeated 2xx answers to an already answered event (same id and body: requests a killed process sent but never recorded); ${Math.round((Date.now() - started) / 1000)} s`,
  );
});
