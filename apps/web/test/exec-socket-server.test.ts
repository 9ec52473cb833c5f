// The exec WebSocket (GET /api/v1/runs/{id}/exec, apps/web/launcher/exec-socket) mounted on a
// plain node http server, with real Postgres, a real agent over the local transport on real
// Docker, real API tokens and a real next-auth session cookie; `ws` is the client, as in the SDK.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, docker, startAgent } from "@bailey/agent/testing";
import { createApiToken, createRun, HostConnections, stopRun, type TeamContext, type TokenScope, tick } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import type { ExecClientControl, ExecClientStart, ExecServerMessage } from "@bailey/protocol/exec-socket";
import { encode } from "next-auth/jwt";
import WebSocket from "ws";
import { createExecSocketServer } from "../launcher/exec-socket/server";

const image = "bailey-test/busybox:latest";
const secret = "exec-socket-test-secret-0123456789abcdef";
const waitMs = 20_000;

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = waitMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One client socket: the output bytes it got (stream byte stripped), its text messages, its close. */
class ExecClient {
  output = Buffer.alloc(0);
  messages: ExecServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.output = Buffer.concat([this.output, data.subarray(1)]);
      else this.messages.push(JSON.parse(data.toString("utf8")) as ExecServerMessage);
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  get text(): string {
    return this.output.toString("utf8");
  }
  send(message: ExecClientStart | ExecClientControl): void {
    this.socket.send(JSON.stringify(message));
  }
  write(text: string): void {
    this.socket.send(Buffer.from(text), { binary: true });
  }
  message<Type extends ExecServerMessage["type"]>(type: Type): Promise<Extract<ExecServerMessage, { type: Type }>> {
    return waitFor(`a ${type} message (got ${JSON.stringify(this.messages)}, closed ${JSON.stringify(this.closed)})`, () =>
      this.messages.find((message): message is Extract<ExecServerMessage, { type: Type }> => message.type === type),
    );
  }
  outputMatching(pattern: RegExp): Promise<RegExpMatchArray> {
    return waitFor(`output matching ${pattern} (got ${JSON.stringify(this.text)})`, () => this.text.match(pattern) ?? undefined);
  }
  closedWith(): Promise<{ code: number; reason: string }> {
    return waitFor(`the socket to close (messages ${JSON.stringify(this.messages)})`, () => this.closed ?? undefined);
  }
}

type Attempt = { kind: "open"; client: ExecClient } | { kind: "refused"; status: number; body: { error: { code: string; message: string } } };

/** Opens the exec WebSocket, or returns the refusal the server answered the upgrade with. */
function connect(url: string, headers: Record<string, string>): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const client = new ExecClient(socket);
    socket.once("open", () => resolve({ kind: "open", client }));
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ kind: "refused", status: response.statusCode ?? 0, body: JSON.parse(body) }));
    });
    socket.once("error", (error) => reject(error));
  });
}

describe("the exec WebSocket server (real agent, Docker, Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let agent: AgentProcess;
  let connections: HostConnections;
  let server: Server;
  let execSockets: ReturnType<typeof createExecSocketServer>;
  let origin = "";
  let runId = "";
  let finishedRunId = "";
  let member: { ctx: TeamContext; user: { id: string; email: string } };
  let viewer: { ctx: TeamContext; user: { id: string; email: string } };
  let outsider: { ctx: TeamContext };
  const logged: string[] = [];

  const token = (ctx: TeamContext, scopes: TokenScope[]) => createApiToken({ prisma, ctx, name: "exec test", scopes }).then((minted) => minted.token);
  const cookie = async (user: { id: string; email: string }) => `next-auth.session-token=${await encode({ token: { sub: user.id, email: user.email, name: null }, secret })}`;
  const execUrl = (id: string) => `${origin.replace(/^http/, "ws")}/api/v1/runs/${id}/exec`;
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

  async function open(headers: Record<string, string>, id = runId): Promise<ExecClient> {
    const attempt = await connect(execUrl(id), headers);
    if (attempt.kind === "refused") assert.fail(`the upgrade was refused: ${attempt.status} ${JSON.stringify(attempt.body)}`);
    return attempt.client;
  }
  async function refusal(headers: Record<string, string>, id = runId) {
    const attempt = await connect(execUrl(id), headers);
    if (attempt.kind === "open") {
      attempt.client.socket.terminate();
      assert.fail("the upgrade was accepted");
    }
    return attempt;
  }
  /** The session's exec.* audit events, oldest first. */
  const auditFor = async (sessionId: string) => {
    const events = await prisma.auditEvent.findMany({ where: { runId, action: { startsWith: "exec." }, data: { path: ["sessionId"], equals: sessionId } }, orderBy: { seq: "asc" } });
    return events.map((event) => ({ ...event, data: event.data as Record<string, unknown> }));
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-exec-socket-"));
    await chmod(dir, 0o755);
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    // The admin starts the run (sandbox none is an admin's choice by default); a member execs.
    const { ctx: admin } = await createScratchTeam(prisma, { role: "admin" });
    member = await addScratchMember(prisma, admin.teamId, { role: "member" });
    viewer = await addScratchMember(prisma, admin.teamId, { role: "viewer" });
    outsider = await createScratchTeam(prisma, { role: "member" });

    const agentHostId = `exec-socket-${randomBytes(3).toString("hex")}`;
    agent = await startAgent({ dir, runtime: "docker", hostId: agentHostId, allow: ["sandbox:none"] });
    await prisma.host.create({
      data: { teamId: admin.teamId, name: agentHostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() },
    });
    connections = new HostConnections();
    const { run } = await createRun({ prisma, ctx: admin, spec: { image, sandbox: "none", command: ["sleep", "300"] } });
    runId = run.id;
    const { run: finished } = await createRun({ prisma, ctx: admin, spec: { image, sandbox: "none", command: ["true"] } });
    finishedRunId = finished.id;
    await stopRun({ prisma, ctx: admin, connections, runId: finishedRunId });
    let current = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    for (let i = 0; i < 240 && current.state !== "running"; i++) {
      await tick({ prisma, connections });
      current = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(current.state, "running", current.stateReason ?? current.waitReason ?? "");

    execSockets = createExecSocketServer({ prisma: () => prisma, connections: () => connections, secret, log: (line) => logged.push(line) });
    server = createServer((request, response) => {
      if (execSockets.handleRequest(request, response)) return;
      response.writeHead(404).end();
    });
    server.on("upgrade", (request, socket, head) => {
      if (!execSockets.handleUpgrade(request, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    execSockets?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    connections?.close();
    await agent?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
    if (logged.length) console.log(`exec socket server log:\n${logged.join("\n")}`);
  });

  it("refuses, before the upgrade, whoever may not exec into this run, with the REST API's JSON error", async () => {
    const none = await refusal({});
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, "UNAUTHORIZED");
    assert.match(none.body.error.message, /runs:exec/);

    const unknown = await refusal(bearer("bly_not_a_real_token"));
    assert.equal(unknown.status, 401);

    const unscoped = await refusal(bearer(await token(member.ctx, ["runs:read", "runs:write"])));
    assert.equal(unscoped.status, 403);
    assert.equal(unscoped.body.error.code, "FORBIDDEN");

    const viewerCookie = await refusal({ cookie: await cookie(viewer.user) });
    assert.equal(viewerCookie.status, 403);
    assert.equal(viewerCookie.body.error.code, "FORBIDDEN");

    const otherTeam = await refusal(bearer(await token(outsider.ctx, ["runs:exec"])));
    assert.equal(otherTeam.status, 404);
    assert.equal(otherTeam.body.error.code, "NOT_FOUND");

    const finished = await refusal(bearer(await token(member.ctx, ["runs:exec"])), finishedRunId);
    assert.equal(finished.status, 409);
    assert.equal(finished.body.error.code, "CONFLICT");
    assert.match(finished.body.error.message, /cancelled/);

    const foreignOrigin = await refusal({ cookie: await cookie(member.user), origin: "https://evil.example" });
    assert.equal(foreignOrigin.status, 403);
    assert.match(foreignOrigin.body.error.message, /evil\.example/);
  });

  it("answers a plain GET with the refusal, or 426 when an upgrade would be accepted", async () => {
    const url = `${origin}/api/v1/runs/${runId}/exec`;
    const good = await fetch(url, { headers: bearer(await token(member.ctx, ["runs:exec"])) });
    assert.equal(good.status, 426);
    assert.equal(((await good.json()) as { error: { code: string } }).error.code, "UPGRADE_REQUIRED");

    const posted = await fetch(url, { method: "POST", headers: bearer(await token(member.ctx, ["runs:exec"])) });
    assert.equal(posted.status, 405);

    // A NUL in the id is a 400, as on every REST route, not a database error.
    const withNul = await fetch(`${origin}/api/v1/runs/a%00b/exec`, { headers: bearer(await token(member.ctx, ["runs:exec"])) });
    assert.equal(withNul.status, 400);

    const asViewer = await fetch(url, { headers: { cookie: await cookie(viewer.user) } });
    assert.equal(asViewer.status, 403);
    assert.equal(((await asViewer.json()) as { error: { code: string } }).error.code, "FORBIDDEN");
  });

  it("runs a TTY shell: input, the container's hostname, resize, the exit code and the audit trail", async () => {
    const hostname = (await docker.getContainer(`bailey-${runId}`).inspect()).Config.Hostname;
    assert.ok(hostname);
    const client = await open(bearer(await token(member.ctx, ["runs:exec"])));
    client.send({ type: "start", command: ["sh"], tty: true, cols: 80, rows: 24 });
    const started = await client.message("started");
    assert.equal(started.resumed, false);
    assert.equal(started.outputOffset, 0);

    // The TTY echoes the line as typed ($HOSTNAME), so only the shell's expansion can match.
    client.write("echo host=$HOSTNAME\r");
    await client.outputMatching(new RegExp(`host=${hostname}`));

    client.send({ type: "resize", cols: 101, rows: 31 });
    client.write("stty size\r");
    await client.outputMatching(/31 101/);

    client.write("exit 7\r");
    assert.deepEqual(await client.message("exit"), { type: "exit", exitCode: 7, reason: "exited" });
    assert.equal((await client.closedWith()).code, 1000);

    const events = await auditFor(started.sessionId);
    assert.deepEqual(
      events.map((event) => event.action),
      ["exec.started", "exec.ended"],
    );
    assert.deepEqual(events[0]?.data, { sessionId: started.sessionId, command: ["sh"], tty: true });
    assert.equal(events[1]?.data.exitCode, 7);
    assert.equal(events[0]?.actorType, "token", "the session is the token's, in the audit trail");
  });

  it("runs cat without a TTY for a same-origin session cookie: stdin comes back, eof ends it with 0", async () => {
    const client = await open({ cookie: await cookie(member.user), origin });
    client.send({ type: "start", command: ["cat"] });
    // Typed before the server has answered started: the server holds it until the session exists.
    client.write("first\n");
    await client.message("started");
    client.write("second\n");
    await client.outputMatching(/first\nsecond\n/);
    assert.equal(client.text, "first\nsecond\n");
    client.send({ type: "eof" });
    assert.deepEqual(await client.message("exit"), { type: "exit", exitCode: 0, reason: "exited" });
    assert.equal((await client.closedWith()).code, 1000);
  });

  it("ends the session on a close message (it kills the process rather than detaching)", async () => {
    const client = await open(bearer(await token(member.ctx, ["runs:exec"])));
    client.send({ type: "start", command: ["sh"], tty: true });
    const started = await client.message("started");
    client.write("echo ready\r");
    await client.outputMatching(/ready\r\n/);
    client.send({ type: "close" });
    const exit = await client.message("exit");
    assert.equal(exit.reason, "closed");
    assert.equal((await client.closedWith()).code, 1000);
    const events = await auditFor(started.sessionId);
    assert.deepEqual(
      events.map((event) => event.action),
      ["exec.started", "exec.ended"],
    );
    assert.equal(events[1]?.data.reason, "closed");
  });

  it("stops reading stdin while more than 1 MiB of it waits for the process, and loses none of it", async () => {
    const client = await open(bearer(await token(member.ctx, ["runs:exec"])));
    // The process reads nothing for 3 s; then it counts what it got.
    client.send({ type: "start", command: ["sh", "-c", "sleep 3; wc -c"] });
    const frame = Buffer.alloc(256 * 1024, 0x61);
    const frames = 128; // 32 MiB, far beyond the server's 1 MiB of unwritten stdin and the kernel's socket buffers
    for (let i = 0; i < frames; i++) client.socket.send(frame, { binary: true });
    await client.message("started");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stillQueued = client.socket.bufferedAmount;
    assert.ok(stillQueued > 8 * 1024 * 1024, `the server should have stopped reading, leaving most of the 32 MiB in the client; only ${stillQueued} bytes wait there`);
    client.send({ type: "eof" });
    await client.outputMatching(new RegExp(`${frames * frame.length}\\s`));
    assert.deepEqual(await client.message("exit"), { type: "exit", exitCode: 0, reason: "exited" });
  });

  it("detaches a session whose socket drops, and resumes it with the output produced meanwhile", async () => {
    const headers = bearer(await token(member.ctx, ["runs:exec"]));
    const first = await open(headers);
    first.send({ type: "start", command: ["sh", "-c", "echo before; sleep 1; echo while-detached; exec cat"] });
    const started = await first.message("started");
    await first.outputMatching(/before\n/);
    const received = first.output.length;
    first.socket.terminate();

    await waitFor("the exec.detached event", async () => (await auditFor(started.sessionId)).some((event) => event.action === "exec.detached"));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the script's sleep ends while nobody is attached

    const second = await open(headers);
    second.send({ type: "resume", sessionId: started.sessionId, outputOffset: received });
    const resumed = await second.message("started");
    assert.deepEqual(resumed, { type: "started", sessionId: started.sessionId, resumed: true, outputOffset: received });
    await second.outputMatching(/while-detached\n/);
    assert.equal(second.text, "while-detached\n", "only the bytes the first socket did not get are replayed");

    second.write("still-here\n");
    await second.outputMatching(/still-here\n/);
    second.send({ type: "eof" });
    assert.deepEqual(await second.message("exit"), { type: "exit", exitCode: 0, reason: "exited" });
    assert.equal((await second.closedWith()).code, 1000);

    const events = await auditFor(started.sessionId);
    assert.deepEqual(
      events.map((event) => event.action),
      ["exec.started", "exec.detached", "exec.resumed", "exec.ended"],
    );
    assert.equal(events[2]?.data.outputOffset, received);
  });

  it("resumes a session whose process exited while detached: the rest of its output, then its exit code", async () => {
    const headers = bearer(await token(member.ctx, ["runs:exec"]));
    const first = await open(headers);
    first.send({ type: "start", command: ["sh", "-c", "echo before; sleep 1; echo after; exit 3"] });
    const started = await first.message("started");
    await first.outputMatching(/before\n/);
    const received = first.output.length;
    first.socket.terminate();
    await waitFor("the exec.detached event", async () => (await auditFor(started.sessionId)).some((event) => event.action === "exec.detached"));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the process exits while nobody is attached

    const second = await open(headers);
    second.send({ type: "resume", sessionId: started.sessionId, outputOffset: received });
    assert.deepEqual(await second.message("exit"), { type: "exit", exitCode: 3, reason: "exited" });
    assert.equal(second.text, "after\n");
    assert.equal((await second.closedWith()).code, 1000);
    const ended = (await auditFor(started.sessionId)).find((event) => event.action === "exec.ended");
    assert.equal(ended?.data.exitCode, 3);
  });

  it("answers a bad first frame with BAD_REQUEST (an unknown session with NOT_FOUND) and closes 1008", async () => {
    const headers = bearer(await token(member.ctx, ["runs:exec"]));

    const notJson = await open(headers);
    notJson.socket.send("hello");
    assert.equal((await notJson.message("error")).code, "BAD_REQUEST");
    assert.equal((await notJson.closedWith()).code, 1008);

    const notAStart = await open(headers);
    notAStart.socket.send(JSON.stringify({ type: "start", command: [], shell: true }));
    const invalid = await notAStart.message("error");
    assert.equal(invalid.code, "BAD_REQUEST");
    assert.match(invalid.message, /command/);
    assert.equal((await notAStart.closedWith()).code, 1008);

    const unknownSession = await open(headers);
    unknownSession.send({ type: "resume", sessionId: "not-a-session-of-this-run", outputOffset: 0 });
    assert.equal((await unknownSession.message("error")).code, "NOT_FOUND");
    assert.equal((await unknownSession.closedWith()).code, 1008);

    const inputFirst = await open(headers);
    inputFirst.write("ls\n");
    assert.equal((await inputFirst.message("error")).code, "BAD_REQUEST");
    assert.equal((await inputFirst.closedWith()).code, 1008);
  });
});
