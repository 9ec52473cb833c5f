// One control-plane process for the two-process dispatch and SIGKILL tests: waits for a
// shared start instant, then runs the scheduler's tick() until every run of the team is final.
// With BAILEY_TICK_TEST_WEBHOOKS=1 it also runs the webhook sender beside the tick, as `npm
// start` does, and is done only once the team has no pending delivery either.
import { createPrismaClient } from "@bailey/db";
import { HostConnections, startWebhookSender, tick } from "../../src";

const [databaseUrl, teamId, startAtText, expectedText] = process.argv.slice(2);
if (!databaseUrl || !teamId || !startAtText || !expectedText) throw new Error("usage: tick-process.ts <database-url> <team-id> <start-at-ms> <expected-runs>");
const prisma = createPrismaClient(databaseUrl, { maxConnections: 8 });
const connections = new HostConnections();
const totals = { ticks: 0, placed: 0, dispatched: 0, ingested: 0 };
const deadline = Date.now() + Number(process.env.BAILEY_TICK_TEST_DEADLINE_MS ?? 240_000);
const dispatchLeaseMs = process.env.BAILEY_TICK_TEST_LEASE_MS ? Number(process.env.BAILEY_TICK_TEST_LEASE_MS) : undefined;
// The fault test waits for this line before it picks the instant to kill the process.
const trace = process.env.BAILEY_TICK_TEST_TRACE === "1";
const webhooks =
  process.env.BAILEY_TICK_TEST_WEBHOOKS === "1"
    ? startWebhookSender({
        prisma,
        // Short, so a delivery a killed process had claimed is taken over within seconds, yet
        // longer than a request may take: a live sender's claim is never taken from it.
        leaseMs: Number(process.env.BAILEY_TICK_TEST_WEBHOOK_LEASE_MS ?? 4_000),
        timeoutMs: 1_500,
        retryBaseMs: 200,
        pollMs: 50,
      })
    : null;
const pendingDeliveries = () => (webhooks ? prisma.webhookDelivery.count({ where: { teamId, state: "pending" } }) : Promise.resolve(0));
try {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
  while (Date.now() < deadline) {
    if (trace) console.log("tick");
    const report = await tick({ prisma, connections, ...(dispatchLeaseMs ? { dispatchLeaseMs } : {}) });
    totals.ticks += 1;
    totals.placed += report.placed;
    totals.dispatched += report.dispatched;
    totals.ingested += report.ingested;
    const unfinished = await prisma.run.count({ where: { teamId, state: { notIn: ["succeeded", "failed", "cancelled", "lost", "timed_out"] } } });
    if (unfinished === 0 && totals.ticks > 1 && (await pendingDeliveries()) === 0) break;
  }
  console.log(JSON.stringify(totals));
  const unfinished = await prisma.run.count({ where: { teamId, state: { notIn: ["succeeded", "failed", "cancelled", "lost", "timed_out"] } } });
  if (unfinished > 0) {
    // A survivor that ran out of time must not look like one that finished the queue.
    console.error(`deadline passed with ${unfinished} runs unfinished (BAILEY_TICK_TEST_DEADLINE_MS)`);
    process.exitCode = 3;
  }
  const pending = await pendingDeliveries();
  if (pending > 0) {
    console.error(`deadline passed with ${pending} webhook deliveries pending (BAILEY_TICK_TEST_DEADLINE_MS)`);
    process.exitCode = 3;
  }
} finally {
  await webhooks?.stop();
  connections.close();
  await prisma.$disconnect();
}
