// Two control planes each run a webhook sender against one database: their claims (SKIP LOCKED,
// with a lease) must never hand one delivery to both, so no event reaches the receiver twice.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createSecretsKeyFile, createWebhookEndpoint, enqueueWebhookEvent, startWebhookSender, verifyWebhookSignature } from "../src";

const eventCount = 200;
const concurrencyPerSender = 4;

let db: ScratchDatabase;
let prismaA: PrismaClient;
let prismaB: PrismaClient;
let keyDir: string;
const requestsPerId = new Map<string, number>();
let badSignatures = 0;
let inFlight = 0;
let mostInFlight = 0;
let secret = "";
const receiver = createServer((request, response) => {
  inFlight += 1;
  mostInFlight = Math.max(mostInFlight, inFlight);
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    try {
      const { id } = verifyWebhookSignature(secret, request.headers, body);
      requestsPerId.set(id, (requestsPerId.get(id) ?? 0) + 1);
    } catch {
      badSignatures += 1;
    }
    // A receiver that takes a moment, so the two senders' requests overlap.
    setTimeout(() => {
      inFlight -= 1;
      response.end("ok");
    }, 15);
  });
});

before(async () => {
  db = await createScratchDatabase();
  await migrateDatabase(db.url);
  // One client per sender, as two control-plane processes would have.
  prismaA = createPrismaClient(db.url, { maxConnections: 6 });
  prismaB = createPrismaClient(db.url, { maxConnections: 6 });
  keyDir = mkdtempSync(path.join(tmpdir(), "bailey-webhook-senders-"));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  receiver.close();
  await prismaA?.$disconnect();
  await prismaB?.$disconnect();
  await db?.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

it(`two senders on one database deliver each of ${eventCount} events exactly once`, { timeout: 120_000 }, async () => {
  const key = createSecretsKeyFile(path.join(keyDir, "secrets-key"));
  const { ctx } = await createScratchTeam(prismaA, { role: "admin" });
  const { port } = receiver.address() as AddressInfo;
  ({ secret } = await createWebhookEndpoint({ prisma: prismaA, ctx, url: `http://127.0.0.1:${port}/hook`, events: ["*"], key }));
  const enqueue = (from: number, to: number) =>
    prismaA.$transaction(
      async (tx) => {
        const ids: string[] = [];
        for (let i = from; i < to; i++) ids.push((await enqueueWebhookEvent(tx, { teamId: ctx.teamId, type: "run.succeeded", data: { run: { id: `run-${i}` } } }))!);
        return ids;
      },
      { timeout: 30_000 },
    );
  // Half waiting when the senders start (both claim from one backlog at once), half arriving while they run.
  const eventIds = await enqueue(0, eventCount / 2);
  const started = Date.now();
  const senders = [prismaA, prismaB].map((prisma) => startWebhookSender({ prisma, key, concurrency: concurrencyPerSender, pollMs: 20 }));
  try {
    for (let i = eventCount / 2; i < eventCount; i += 10) eventIds.push(...(await enqueue(i, i + 10)));
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      if ((await prismaA.webhookDelivery.count({ where: { teamId: ctx.teamId, state: "succeeded" } })) === eventCount) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
  }
  const seconds = (Date.now() - started) / 1000;
  assert.equal(badSignatures, 0, "every request carried a valid signature");
  assert.deepEqual([...requestsPerId.keys()].sort(), [...eventIds].sort(), "the receiver got every event");
  assert.deepEqual(
    [...requestsPerId].filter(([, count]) => count !== 1),
    [],
    "no event was sent twice",
  );
  const deliveries = await prismaA.webhookDelivery.findMany({ where: { teamId: ctx.teamId }, include: { _count: { select: { attemptsLog: true } } } });
  assert.equal(deliveries.length, eventCount);
  assert.deepEqual(
    deliveries.filter((d) => d.state !== "succeeded" || d.attempts !== 1 || d._count.attemptsLog !== 1).map((d) => `${d.eventId} ${d.state} ${d.attempts}`),
    [],
    "each delivery succeeded at its one recorded attempt",
  );
  // One sender alone never has more than its concurrency in flight: more means both were sending at once.
  assert.ok(mostInFlight > concurrencyPerSender, `both senders sent at the same time (at most ${mostInFlight} requests in flight)`);
  console.log(
    `[webhook-senders] ${eventCount} events, 2 senders × ${concurrencyPerSender}: ${requestsPerId.size} delivered once each, 0 twice; up to ${mostInFlight} in flight; ${seconds.toFixed(1)} s`,
  );
});
