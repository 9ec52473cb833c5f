import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateApiToken, createApiToken, createSecretsKeyFile, deliverDueWebhooks, verifyWebhookSignature, type AuthenticatedToken, type TokenScope } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { createCaller, createRestHandler, openApiDocument } from "../src";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers with the next queued status (200 once the queue is empty) and keeps what it got. */
async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = statuses.shift() ?? 200;
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "thanks" : "receiver is down");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, statuses, close: () => new Promise((resolve) => server.close(resolve)) };
}

type Endpoint = { id: string; url: string; events: string[]; enabled: boolean; description: string | null };
type Delivery = {
  id: string;
  eventId: string;
  eventType: string;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
  attemptLog: { attempt: number; manual: boolean; statusCode: number | null }[];
};

describe("webhooks over REST (/api/v1/webhooks)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let keyDir = "";
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const tokens: Record<"admin" | "member" | "readOnly" | "runsOnly" | "viewer", AuthenticatedToken | null> = { admin: null, member: null, readOnly: null, runsOnly: null, viewer: null };
  let viewerUser = { id: "", email: "" };
  let memberUser = { id: "", email: "" };
  let endpointId = "";
  let secret = "";
  const handler = createRestHandler({
    basePath: "/api/v1",
    // Viewers cannot hold a webhooks token of use: the viewer calls with a dashboard session.
    createContext: async (request) =>
      request.headers.get("x-as") === "viewer" ? { prisma, user: viewerUser, token: null } : { prisma, user: null, token: tokens[request.headers.get("x-as") as keyof typeof tokens] ?? null },
  });
  const call = async (as: keyof typeof tokens, method: string, pathname: string, body?: unknown) => {
    const response = await handler(
      new Request(`http://bailey.test/api/v1${pathname}`, {
        method,
        headers: { "x-as": as, authorization: "Bearer bly_test", ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> & { error?: { message: string } } };
  };
  const deliveries = async (query = "") => {
    const response = await call("member", "GET", `/webhooks/${endpointId}/deliveries${query}`);
    assert.equal(response.status, 200, response.text);
    return response.json as { deliveries: Delivery[]; nextBefore: string | null };
  };
  // The sender's pass, as the cron route and the launcher's loop run it; retries come due at once.
  const deliverNow = () => deliverDueWebhooks({ prisma, retryBaseMs: 1 });

  before(async () => {
    keyDir = await mkdtemp(path.join(tmpdir(), "bailey-rest-webhooks-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    receiver = await startReceiver();
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    const { ctx: member, user } = await addScratchMember(prisma, admin.teamId, { role: "member" });
    memberUser = user;
    viewerUser = (await addScratchMember(prisma, admin.teamId, { role: "viewer" })).user;
    const mint = async (ctx: typeof admin, scopes: TokenScope[]) => authenticateApiToken({ prisma, token: (await createApiToken({ prisma, ctx, name: "t", scopes })).token });
    tokens.admin = await mint(admin, ["webhooks:read", "webhooks:write"]);
    tokens.member = await mint(member, ["webhooks:read", "webhooks:write"]);
    tokens.readOnly = await mint(admin, ["webhooks:read"]);
    tokens.runsOnly = await mint(admin, ["runs:read", "runs:write"]);
  });
  after(async () => {
    await receiver.close();
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("POST creates (201) and returns the whsec_ secret once; GET lists and gets it for members, never with a secret; viewers are refused", async () => {
    const created = await call("admin", "POST", "/webhooks", { url: receiver.url, events: ["run.succeeded", "run.failed"], description: "CI" });
    assert.equal(created.status, 201, created.text);
    const endpoint = created.json.endpoint as Endpoint;
    secret = created.json.secret as string;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([endpoint.url, endpoint.events, endpoint.enabled, endpoint.description], [receiver.url, ["run.succeeded", "run.failed"], true, "CI"]);
    endpointId = endpoint.id;
    const list = await call("member", "GET", "/webhooks");
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      (list.json.endpoints as Endpoint[]).map((entry) => entry.id),
      [endpointId],
    );
    const one = await call("readOnly", "GET", `/webhooks/${endpointId}`);
    assert.equal(one.status, 200, one.text);
    for (const text of [list.text, one.text]) assert.ok(!text.includes(secret.slice(6)) && !/secret/i.test(text), "no secret after creation");
    const viewer = await call("viewer", "GET", "/webhooks");
    assert.equal(viewer.status, 403, viewer.text);
    assert.match(viewer.json.error?.message ?? "", /member role or higher; you are a viewer/);
    assert.equal((await call("member", "GET", "/webhooks/not-an-endpoint")).status, 404);
  });

  it("refuses bad input, members' writes and tokens without the webhooks scopes, each saying what to do", async () => {
    const bad = async (body: Record<string, unknown>, pattern: RegExp) => {
      const response = await call("admin", "POST", "/webhooks", { url: receiver.url, events: ["*"], ...body });
      assert.equal(response.status, 400, response.text);
      assert.match(response.json.error?.message ?? "", pattern);
    };
    await bad({ url: "http://example.com/hook" }, /plain http is only for loopback and private IP addresses/);
    await bad({ url: "https://169.254.169.254/latest" }, /link-local/);
    await bad({ url: "https://user:pw@example.com/hook" }, /leave credentials out of the URL/);
    await bad({ url: "not a url" }, /it is not a URL/);
    await bad({ events: [] }, /Subscribe to at least one event type/);
    await bad({ events: ["run.exploded"] }, /Unknown event type: use run\.succeeded/);
    await bad({ secret: "whsec_mine" }, /secret/);
    const member = await call("member", "POST", "/webhooks", { url: receiver.url, events: ["*"] });
    assert.equal(member.status, 403, member.text);
    assert.match(member.json.error?.message ?? "", /needs the admin role or higher; you are a member/);
    const readOnly = await call("readOnly", "POST", `/webhooks/${endpointId}/test`);
    assert.equal(readOnly.status, 403, readOnly.text);
    assert.match(readOnly.json.error?.message ?? "", /lacks the webhooks:write scope/);
    const runsOnly = await call("runsOnly", "GET", "/webhooks");
    assert.equal(runsOnly.status, 403, runsOnly.text);
    assert.match(runsOnly.json.error?.message ?? "", /lacks the webhooks:read scope/);
    const empty = await call("admin", "PATCH", `/webhooks/${endpointId}`, {});
    assert.equal(empty.status, 400, empty.text);
    assert.match(empty.json.error?.message ?? "", /Give at least one of url, events, description or enabled/);
  });

  it("POST /webhooks/{id}/test queues an event the sender delivers, signed with the secret; the deliveries log it", async () => {
    const queued = await call("admin", "POST", `/webhooks/${endpointId}/test`);
    assert.equal(queued.status, 200, queued.text);
    const eventId = queued.json.eventId as string;
    assert.equal((await deliverNow()).succeeded, 1);
    const [request] = receiver.received.splice(0);
    assert.ok(request, "the receiver got the test event");
    assert.equal(verifyWebhookSignature(secret, request.headers, request.body).id, eventId);
    assert.deepEqual(JSON.parse(request.body).type, "webhook.test");
    const [delivery] = (await deliveries()).deliveries;
    assert.deepEqual([delivery?.eventId, delivery?.eventType, delivery?.state, delivery?.attempts, delivery?.lastStatusCode], [eventId, "webhook.test", "succeeded", 1, 200]);
  });

  it("a 500 is retried until a 2xx; redeliver sends again with the same webhook-id and is logged as manual", async () => {
    receiver.statuses.push(500);
    await call("admin", "POST", `/webhooks/${endpointId}/test`);
    await deliverNow();
    let [delivery] = (await deliveries()).deliveries;
    assert.deepEqual([delivery?.state, delivery?.attempts, delivery?.lastStatusCode], ["pending", 1, 500]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await deliverNow();
    [delivery] = (await deliveries()).deliveries;
    assert.deepEqual([delivery?.state, delivery?.attempts, delivery?.attemptLog.map((attempt) => attempt.statusCode)], ["succeeded", 2, [500, 200]]);
    const redone = await call("admin", "POST", `/webhooks/deliveries/${delivery!.id}/redeliver`);
    assert.equal(redone.status, 200, redone.text);
    assert.deepEqual([(redone.json.attempt as { manual: boolean }).manual, (redone.json.attempt as { statusCode: number }).statusCode], [true, 200]);
    const sent = receiver.received.splice(0);
    assert.equal(sent.length, 3);
    assert.deepEqual(new Set(sent.map((request) => verifyWebhookSignature(secret, request.headers, request.body).id)), new Set([delivery!.eventId]));
    assert.equal((await call("member", "POST", `/webhooks/deliveries/${delivery!.id}/redeliver`)).status, 403);
    assert.equal((await call("admin", "POST", "/webhooks/deliveries/not-a-delivery/redeliver")).status, 404);
  });

  it("GET deliveries pages newest first with limit and nextBefore", async () => {
    const all = (await deliveries()).deliveries;
    assert.equal(all.length, 2);
    const first = await deliveries("?limit=1");
    assert.deepEqual(
      first.deliveries.map((entry) => entry.id),
      [all[0]!.id],
    );
    assert.ok(first.nextBefore, "a next page");
    const second = await deliveries(`?limit=1&before=${encodeURIComponent(first.nextBefore)}`);
    assert.deepEqual(
      second.deliveries.map((entry) => entry.id),
      [all[1]!.id],
    );
    // The dashboard's infinite query: tRPC adds cursor and direction to the input.
    const pages = createCaller({ prisma, user: memberUser }).webhooks.deliveries;
    const firstPage = await pages({ id: endpointId, limit: 1, cursor: null, direction: "forward" });
    const nextPage = await pages({ id: endpointId, limit: 1, cursor: firstPage.nextBefore, direction: "forward" });
    assert.deepEqual(
      [...firstPage.deliveries, ...nextPage.deliveries].map((entry) => entry.id),
      all.map((entry) => entry.id),
    );
    const bad = await call("member", "GET", `/webhooks/${endpointId}/deliveries?limit=0`);
    assert.equal(bad.status, 400, bad.text);
  });

  it("rotate-secret returns a new secret once and signs with it; PATCH changes events and disables; DELETE removes, then 404", async () => {
    const rotated = await call("admin", "POST", `/webhooks/${endpointId}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    const newSecret = rotated.json.secret as string;
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, secret);
    await call("admin", "POST", `/webhooks/${endpointId}/test`);
    await deliverNow();
    const [request] = receiver.received.splice(0);
    assert.ok(request);
    verifyWebhookSignature(newSecret, request.headers, request.body);
    assert.throws(() => verifyWebhookSignature(secret, request.headers, request.body), /No webhook-signature matches/);

    const patched = await call("admin", "PATCH", `/webhooks/${endpointId}`, { events: ["*"], enabled: false, description: null });
    assert.equal(patched.status, 200, patched.text);
    const endpoint = patched.json.endpoint as Endpoint;
    assert.deepEqual([endpoint.events, endpoint.enabled, endpoint.description], [["*"], false, null]);
    const disabled = await call("admin", "POST", `/webhooks/${endpointId}/test`);
    assert.equal(disabled.status, 409, disabled.text);
    assert.match(disabled.json.error?.message ?? "", /enable it first/);

    assert.equal((await call("member", "DELETE", `/webhooks/${endpointId}`)).status, 403);
    assert.equal((await call("admin", "DELETE", `/webhooks/${endpointId}`)).status, 200);
    assert.equal((await call("admin", "DELETE", `/webhooks/${endpointId}`)).status, 404);
    assert.equal((await call("member", "GET", `/webhooks/${endpointId}/deliveries`)).status, 404);
  });

  it("the OpenAPI document has every webhook operation with its scope, and only create and rotate return a secret", () => {
    const paths = (openApiDocument() as unknown as { paths: Record<string, Record<string, { "x-bailey-scope"?: string; responses: unknown }>> }).paths;
    const ours = Object.entries(paths).filter(([pathname]) => pathname.startsWith("/webhooks"));
    assert.deepEqual(ours.flatMap(([pathname, methods]) => Object.entries(methods).map(([method, operation]) => `${method} ${pathname} ${operation["x-bailey-scope"]}`)).sort(), [
      "delete /webhooks/{id} webhooks:write",
      "get /webhooks webhooks:read",
      "get /webhooks/{id} webhooks:read",
      "get /webhooks/{id}/deliveries webhooks:read",
      "patch /webhooks/{id} webhooks:write",
      "post /webhooks webhooks:write",
      "post /webhooks/deliveries/{id}/redeliver webhooks:write",
      "post /webhooks/{id}/rotate-secret webhooks:write",
      "post /webhooks/{id}/test webhooks:write",
    ]);
    const withSecret = ours.flatMap(([pathname, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => JSON.stringify(operation.responses).includes('"secret"'))
        .map(([method]) => `${method} ${pathname}`),
    );
    assert.deepEqual(withSecret.sort(), ["post /webhooks", "post /webhooks/{id}/rotate-secret"]);
  });
});
