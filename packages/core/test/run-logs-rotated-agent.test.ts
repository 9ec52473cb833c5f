import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { engineLog } from "@bailey/agent/testing";
import type { PrismaClient } from "@bailey/db";
import { createRun, type HostConnections, readRunLogs, type TeamContext, tick } from "../src";
import { shipRunLogs } from "../src/logs/ship-run-logs";
import { DirectoryBlobStore } from "../src/blobs/directory-blob-store";
import { type AgentControlPlane, readWholeRunLog, startAgentControlPlane } from "./support/agent-control-plane";

const image = "bailey-test/busybox:latest";
const lineCount = 1_000_000;
/** What `seq 1 1000000` prints. */
const expected = Buffer.from(Array.from({ length: lineCount }, (_, i) => `${i + 1}\n`).join(""));
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const lines = (data: Buffer) => data.toString().split("\n").length - 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The real agent (local transport) on real Docker (gVisor) with its default log limits (10 MB × 3
// of JSON), real Postgres: a million lines are ~75 MB of JSON, so the engine keeps only the last
// third of them; the run page, `bailey logs` and `--follow` must still get every line.
describe("a run's whole log, past the engine's log rotation (real agent, Docker, Postgres)", () => {
  let plane: AgentControlPlane;
  let prisma: PrismaClient;
  let ctx: TeamContext;
  let connections: HostConnections;
  let blobs: DirectoryBlobStore;

  before(async () => {
    plane = await startAgentControlPlane("logs-rotated");
    ({ prisma, ctx, connections } = plane);
    blobs = new DirectoryBlobStore(path.join(plane.dir, "blobs"));
  });
  after(() => plane?.stop());

  const readAll = (runId: string, follow: boolean) => readWholeRunLog({ prisma, ctx, connections, blobs, runId, follow });

  it("a follow opened while the run runs ends with its last line; read after it ended, the log is whole, from the agent, the blob store, or both", async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image, sandbox: "gvisor", command: ["sh", "-c", "sleep 2; seq 1 1000000"] } });
    // Ticks without a blob store: nothing ships, so every read below goes to the agent.
    let state = "";
    for (let i = 0; i < 240 && state !== "running"; i++) {
      await tick({ prisma, connections });
      state = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
      if (state !== "running") await sleep(250);
    }
    assert.equal(state, "running");
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await tick({ prisma, connections });
        await sleep(250);
      }
    })();
    let followed: Buffer;
    try {
      followed = await readAll(run.id, true);
    } finally {
      ticking = false;
      await ticker;
    }
    assert.equal(lines(followed), lineCount, "the follow delivered every line before it ended");
    assert.equal(sha256(followed), sha256(expected), "byte for byte");

    for (let i = 0; i < 120 && state !== "succeeded"; i++) {
      await tick({ prisma, connections });
      state = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
      if (state !== "succeeded") await sleep(250);
    }
    assert.equal(state, "succeeded");
    // What the engine itself still has: the reason the agent's own log file is read.
    const engine = await engineLog(`bailey-${run.id}`);
    assert.ok(lines(engine) < lineCount / 2, `the engine's log rotated away its start (${lines(engine)} lines left)`);

    const whole = await readAll(run.id, false);
    assert.equal(lines(whole), lineCount, "read after the end, nothing stored yet: every line, from the agent");
    assert.equal(sha256(whole), sha256(expected));
    const tail = await readRunLogs({ prisma, ctx, connections, blobs, runId: run.id, maxBytes: 1000 });
    assert.equal(tail.text, expected.subarray(expected.length - 1000).toString(), "the tail is the log's last bytes");
    assert.equal(tail.truncated, true);

    // Part of it shipped: that part comes from the blob store, the rest from the agent, seamlessly.
    const shipped = await shipRunLogs({ prisma, blobs, agent: connections.get(await prisma.host.findFirstOrThrow({ where: { teamId: ctx.teamId } })), runId: run.id, budgetBytes: 2_500_001 });
    assert.equal(shipped.bytes, 2_500_001);
    assert.equal(shipped.complete, false);
    const stitched = await readAll(run.id, false);
    assert.equal(sha256(stitched), sha256(expected), "stored part and agent part join with no byte lost or doubled");
    assert.equal(sha256(await readAll(run.id, true)), sha256(expected), "a follow of the ended run: the same bytes, then it ends");
  });
});
