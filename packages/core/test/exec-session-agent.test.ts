import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PrismaClient } from "@bailey/db";
import { type AppError, createRun, type HostConnections, openExecSession, type TeamContext, tick } from "../src";
import { type AgentControlPlane, startAgentControlPlane } from "./support/agent-control-plane";

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
  let plane: AgentControlPlane;
  let prisma: PrismaClient;
  let ctx: TeamContext;
  let connections: HostConnections;
  let runId = "";

  before(async () => {
    plane = await startAgentControlPlane("exec-session", { role: "member" });
    ({ prisma, ctx, connections } = plane);
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
  after(() => plane?.stop());

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
