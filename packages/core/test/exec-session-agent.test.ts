import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AppError, createRun, HostConnections, openExecSession, type TeamContext, tick } from "../src";

const image = "bailey-test/busybox:latest";

/** Reads the session's output until `done`, without ending the iteration (a `break` would cancel the stream: detach). */
async function readUntil(output: AsyncIterable<{ data: Buffer }>, done: (text: string) => boolean): Promise<string> {
  const iterator = output[Symbol.asyncIterator]();
  let text = "";
  while (!done(text)) {
    const next = await iterator.next();
    if (next.done) break;
    text += Buffer.from(next.value.data).toString();
  }
  return text;
}

// The real agent (local transport) on real Docker under gVisor and real Postgres: exec sessions
// through core's openExecSession, its authorisation, and its audit events.
describe("exec sessions through the control plane (real agent, Docker/gVisor, Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  let agent: AgentProcess;
  let connections: HostConnections;
  let runId = "";

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-exec-session-"));
    await chmod(dir, 0o755);
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    ({ ctx } = await createScratchTeam(prisma, { role: "member" }));
    const agentHostId = `exec-session-${randomBytes(3).toString("hex")}`;
    agent = await startAgent({ dir, runtime: "docker", hostId: agentHostId });
    await prisma.host.create({
      data: { teamId: ctx.teamId, name: agentHostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() },
    });
    connections = new HostConnections();
    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["sleep", "300"] } });
    runId = run.id;
    let current = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    for (let i = 0; i < 240 && current.state !== "running"; i++) {
      await tick({ prisma, connections });
      current = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(current.state, "running", current.stateReason ?? "");
  });
  after(async () => {
    connections?.close();
    await agent?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a command's output and exit code come back, stdin is written in order, and start and end are audited", async () => {
    const session = await openExecSession({ prisma, ctx, connections, runId, start: { type: "start", command: ["cat"], stdin: true } });
    const reading = readUntil(session.output, (text) => text.includes("third"));
    for (const word of ["first\n", "second\n", "third\n"]) await session.write(Buffer.from(word));
    assert.equal(await reading, "first\nsecond\nthird\n");
    await session.eof();
    const end = await session.ended;
    assert.ok(!("detached" in end));
    assert.equal(end.exitCode, 0);
    const events = await prisma.auditEvent.findMany({ where: { runId, action: { startsWith: "exec." } }, orderBy: { seq: "asc" } });
    assert.deepEqual(
      events.map((event) => event.action),
      ["exec.started", "exec.ended"],
    );
    assert.equal((events[0]!.data as { sessionId: string }).sessionId, session.sessionId);
    assert.deepEqual((events[0]!.data as { command: string[] }).command, ["cat"]);
    assert.equal((events[1]!.data as { outputBytes: number }).outputBytes, 19);
  });

  it("a TTY session runs a shell with the size asked for", async () => {
    const session = await openExecSession({ prisma, ctx, connections, runId, start: { type: "start", command: ["sh"], tty: true, cols: 101, rows: 31 } });
    const reading = readUntil(session.output, (text) => text.includes("31 101"));
    await session.write(Buffer.from("stty size\n"));
    assert.match(await reading, /31 101/);
    await session.close();
    await session.ended;
  });

  it("a viewer, a token without runs:exec, another team and an unknown session are refused", async () => {
    const start = { type: "start" as const, command: ["true"] };
    await assert.rejects(openExecSession({ prisma, ctx: { ...ctx, role: "viewer" }, connections, runId, start }), (error: AppError) => error.code === "FORBIDDEN");
    await assert.rejects(openExecSession({ prisma, ctx, token: { scopes: ["runs:read", "runs:write"] }, connections, runId, start }), (error: AppError) => error.code === "FORBIDDEN");
    await assert.rejects(openExecSession({ prisma, ctx: { ...ctx, teamId: "another-team" }, connections, runId, start }), (error: AppError) => error.code === "NOT_FOUND");
    await assert.rejects(
      openExecSession({ prisma, ctx, connections, runId, start: { type: "resume", sessionId: "not-a-session-of-this-run", outputOffset: 0 } }),
      (error: AppError) => error.code === "NOT_FOUND",
    );
  });
});
