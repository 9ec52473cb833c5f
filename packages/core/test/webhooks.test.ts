import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import {
  createSecretsKeyFile,
  createWebhookEndpoint,
  deliverDueWebhooks,
  enqueueWebhookEvent,
  parseWebhookUrl,
  type SecretsKey,
  type TeamContext,
  verifyWebhookSignature,
  webhookHeaders,
} from "../src";

describe("webhooks", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let admin: TeamContext;
  let key: SecretsKey;
  let keyDir: string;
  const received: { headers: IncomingHttpHeaders; body: string; at: number }[] = [];
  let answers: number[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body, at: Date.now() });
      response.statusCode = answers.shift() ?? 200;
      response.end("ok");
    });
  });

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx: admin } = await createScratchTeam(prisma, { role: "admin" }));
    keyDir = mkdtempSync(path.join(tmpdir(), "bailey-webhooks-"));
    key = createSecretsKeyFile(path.join(keyDir, "secrets-key"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(async () => {
    server.close();
    await prisma?.$disconnect();
    await db?.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("signs so verifyWebhookSignature accepts, and refuses a changed body or a stale timestamp", () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64url")}`;
    const body = '{"a":1}';
    const headers = webhookHeaders(secret, "msg_1", body);
    assert.equal(verifyWebhookSignature(secret, headers, body).id, "msg_1");
    assert.throws(() => verifyWebhookSignature(secret, headers, '{"a":2}'), /No webhook-signature matches/);
    const old = webhookHeaders(secret, "msg_1", body, new Date(Date.now() - 600_000));
    assert.throws(() => verifyWebhookSignature(secret, old, body), /replay/);
  });

  it("refuses metadata and link-local addresses, and plain http to public hosts", () => {
    assert.throws(() => parseWebhookUrl("http://169.254.169.254/latest"), /link-local/);
    assert.throws(() => parseWebhookUrl("https://metadata.google.internal/"), /metadata/);
    assert.throws(() => parseWebhookUrl("http://example.com/hook"), /plain http/);
    assert.equal(parseWebhookUrl("http://127.0.0.1:8080/hook"), "http://127.0.0.1:8080/hook");
  });

  it("a receiver answering 500 twice then 200 gets 3 attempts with growing gaps, then never again", async () => {
    const { port } = server.address() as AddressInfo;
    const { secret } = await createWebhookEndpoint({ prisma, ctx: admin, url: `http://127.0.0.1:${port}/hook`, events: ["*"], key });
    answers = [500, 500, 200];
    const eventId = await prisma.$transaction((tx) => enqueueWebhookEvent(tx, { teamId: admin.teamId, type: "run.succeeded", data: { run: { id: "r1" } } }));
    const deadline = Date.now() + 30_000;
    while (received.length < 3 && Date.now() < deadline) {
      await deliverDueWebhooks({ prisma, key, retryBaseMs: 300 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let i = 0; i < 10; i++) await deliverDueWebhooks({ prisma, key, retryBaseMs: 300 });
    assert.equal(received.length, 3);
    for (const request of received) assert.equal(verifyWebhookSignature(secret, request.headers as Record<string, string>, request.body).id, eventId);
    const [a, b, c] = received.map((r) => r.at) as [number, number, number];
    assert.ok(c - b > b - a, `gaps grow: ${b - a} ms then ${c - b} ms`);
    const delivery = await prisma.webhookDelivery.findFirstOrThrow({ where: { eventId: eventId! }, include: { attemptsLog: true } });
    assert.equal(delivery.state, "succeeded");
    assert.equal(delivery.attemptsLog.length, 3);
  });
});
