import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, docker, engineLog } from "@bailey/agent/testing";
import type { PrismaClient } from "@bailey/db";
import { createRun, destroyRun, type HostConnections, type TeamContext, tick } from "../src";
import { DirectoryBlobStore } from "../src/blobs/directory-blob-store";
import { type AgentControlPlane, readWholeRunLog, startAgentControlPlane } from "./support/agent-control-plane";

const image = "bailey-test/busybox:latest";
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

// The real agent (local transport) on real Docker, real Postgres, the directory blob store: a run's
// log ships while it runs, and stays readable, byte for byte, after destroy and the host's loss.
describe("durable run logs, end to end (real agent, Docker, Postgres)", () => {
  let plane: AgentControlPlane;
  let prisma: PrismaClient;
  let ctx: TeamContext;
  let agent: AgentProcess;
  let connections: HostConnections;
  let blobs: DirectoryBlobStore;
  let hostId = "";

  before(async () => {
    plane = await startAgentControlPlane("log-ship");
    ({ prisma, ctx, agent, connections, hostId } = plane);
    blobs = new DirectoryBlobStore(path.join(plane.dir, "blobs"));
  });
  after(() => plane?.stop());

  const readAll = (runId: string) => readWholeRunLog({ prisma, ctx, connections, blobs, runId, follow: true });

  it("a run's log ships while it runs; after it ends, is destroyed on its host, and the host is lost and removed, the log reads back byte-identical", async () => {
    const script = [
      'yes "first-part-$(head -c 200 /dev/zero | tr "\\0" a)" | head -c 3145728',
      'echo "to stderr" >&2',
      'head -c 40000 /dev/zero | tr "\\0" L; echo',
      "sleep 4",
      'yes "second-part" | head -c 1048576',
    ].join("; ");
    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["sh", "-c", script] } });
    let shippedWhileRunning = 0;
    let finished = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    for (let i = 0; i < 240 && !(finished.state === "succeeded" && finished.logsCompleteAt); i++) {
      await tick({ prisma, connections, blobs });
      finished = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      if (finished.state === "running") shippedWhileRunning = Math.max(shippedWhileRunning, Number(finished.logBytesStored));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(finished.state, "succeeded", finished.stateReason ?? "");
    assert.ok(finished.logsCompleteAt, "the log is complete in the blob store");
    assert.ok(shippedWhileRunning >= 3 * 1024 * 1024, `the first part shipped while the run was still running (${shippedWhileRunning} bytes)`);

    const engine = await engineLog(`bailey-${run.id}`);
    assert.ok(engine.length > 4 * 1024 * 1024);
    assert.equal(Number(finished.logBytesStored), engine.length, "every byte shipped, none twice");
    // The agent writes its log from an attach, which may place stderr's one line elsewhere among
    // stdout's bytes than the engine's own log does: stdout byte for byte, and that line once.
    const stderrLine = Buffer.from("to stderr\n");
    const withoutStderr = (log: Buffer) => {
      const at = log.indexOf(stderrLine);
      assert.ok(at >= 0 && log.indexOf(stderrLine, at + 1) === -1, "the stderr line is there once");
      return Buffer.concat([log.subarray(0, at), log.subarray(at + stderrLine.length)]);
    };
    const served = await readAll(run.id);
    assert.equal(sha256(withoutStderr(served)), sha256(withoutStderr(engine)), "served from the blob store: the engine's output byte for byte");

    const destroyed = await destroyRun({ prisma, ctx, connections, blobs, runId: run.id });
    assert.ok(
      destroyed.removed.some((name) => name.endsWith(`${run.id}.log`)),
      `the host removed its log file: ${destroyed.removed.join(", ")}`,
    );
    await assert.rejects(docker.getContainer(`bailey-${run.id}`).inspect(), "the container is gone from the host");
    assert.equal(sha256(await readAll(run.id)), sha256(served), "after DELETE: the same bytes");

    // Host loss: the agent is killed, the host goes offline, then is removed altogether.
    await agent.kill("SIGKILL");
    connections.forget(hostId);
    await prisma.host.update({ where: { id: hostId }, data: { status: "offline" } });
    assert.equal(sha256(await readAll(run.id)), sha256(served), "with its host lost: the same bytes");
    await prisma.host.delete({ where: { id: hostId } });
    assert.equal(sha256(await readAll(run.id)), sha256(served), "with its host removed: the same bytes");
    await agent.restart();
    await prisma.host.create({
      data: { id: hostId, teamId: ctx.teamId, name: agent.hostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() },
    });
  });

  it("destroying a running run ships what is left of its log first", async () => {
    const marker = `printed-before-destroy-${randomBytes(4).toString("hex")}`;
    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["sh", "-c", `echo ${marker}; sleep 300`] } });
    let current = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    // Ticks without a blob store: nothing is shipped until the destroy.
    for (let i = 0; i < 240 && current.state !== "running"; i++) {
      await tick({ prisma, connections });
      current = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(current.state, "running", current.stateReason ?? "");
    // The agent commits its log file every quarter second.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(Number(current.logBytesStored), 0);
    await destroyRun({ prisma, ctx, connections, blobs, runId: run.id });
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    assert.equal(Number(after.logBytesStored), marker.length + 1, "the line it printed was shipped before the host removed it");
    assert.equal((await readAll(run.id)).toString(), `${marker}\n`, "and reads back after the destroy");
  });
});
