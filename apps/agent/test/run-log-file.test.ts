import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { RpcPeer } from "@bailey/protocol";
import { type AgentProcess, docker, engineLog, requireDocker, startAgent, until } from "../src/testing";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * A log of the run below split into its stdout and its stderr (its stderr is only "stderr line N"
 * lines). The agent's file reads the run's output from a connection opened before it started, whose
 * order of stdout against stderr may differ from the engine's log: each stream's bytes are the same.
 */
function byStream(log: Buffer): { stdout: string; stderr: string } {
  const text = log.toString("latin1");
  return { stdout: text.replace(/stderr line \d+\n/g, ""), stderr: (text.match(/stderr line \d+\n/g) ?? []).join("") };
}

/** Everything `run.logs.read` serves, in 4 MiB reads, and whether it said the log is complete. */
async function readWholeLog(peer: RpcPeer, runId: string): Promise<{ data: Buffer; complete: boolean; sizeBytes: number }> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const chunk = await peer.request("run.logs.read", { runId, offset, length: 4 * 1024 * 1024 });
    const data = Buffer.from(chunk.data, "base64");
    parts.push(data);
    offset += data.length;
    if (data.length === 0 || offset >= chunk.sizeBytes) return { data: Buffer.concat(parts), complete: chunk.complete, sizeBytes: chunk.sizeBytes };
  }
}

/** The agent's shared poller, with this file's longer wait (20 MiB through a killed and restarted agent). */
const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>) => until(what, probe, 120_000);

describe("the agent's log file of a run (real Docker)", () => {
  const hostId = `run-log-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;

  before(async () => {
    await requireDocker();
    agent = await startAgent({ hostId });
  });
  after(async () => {
    await agent?.stop();
  });

  it("a run printing 20 MiB, its agent SIGKILLed and restarted mid-run: the file is byte-identical to the engine's log, complete, and run.destroy removes it", async () => {
    const peer = await agent.connect();
    const runId = `logfile-${randomBytes(4).toString("hex")}`;
    // 20 batches of 1 MiB of numbered lines on stdout, a line on stderr and a 50 KB line (Docker splits it into frames) each, 0.3 s apart.
    const script = [
      "i=0",
      "while [ $i -lt 20 ]; do",
      '  yes "batch-$i-$(head -c 4000 /dev/zero | tr "\\0" x)" | head -c 1048576',
      '  echo "stderr line $i" >&2',
      '  head -c 50000 /dev/zero | tr "\\0" L; echo " long $i"',
      "  i=$((i+1)); sleep 0.3",
      "done",
    ].join("\n");
    await peer.request("run.create", { runId, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", script] } }, { timeoutMs: 120_000 });
    await peer.request("run.start", { runId });
    const midway = await waitFor("the log file to hold some of the output", async () => {
      const read = await peer.request("run.logs.read", { runId, offset: 0, length: 1 });
      return read.sizeBytes > 2 * 1024 * 1024 ? read : null;
    });
    assert.equal(midway.complete, false, "not complete while the run prints");
    peer.close();
    await agent.kill("SIGKILL");
    const atKill = (await stat(path.join(agent.stateDir, "run-logs", `${runId}.log`))).size;
    await agent.restart();
    const again = await agent.connect();

    const whole = await waitFor("the log to be complete", async () => {
      const read = await readWholeLog(again, runId);
      return read.complete ? read : null;
    });
    const engine = await engineLog(`bailey-${runId}`);
    assert.ok(engine.length > 20 * 1024 * 1024, `the engine's log holds all 20 MiB and more (${engine.length} bytes)`);
    assert.ok(atKill < engine.length, `the agent was killed mid-run (${atKill} of ${engine.length} bytes written)`);
    assert.equal(whole.sizeBytes, engine.length, "run.logs.read's size is the engine log's");
    const streams = byStream(engine);
    assert.equal(streams.stderr.split("\n").length - 1, 20, "the engine's log has the 20 stderr lines");
    const served = byStream(whole.data);
    assert.equal(
      sha256(Buffer.from(served.stdout, "latin1")),
      sha256(Buffer.from(streams.stdout, "latin1")),
      "run.logs.read serves the engine's stdout byte for byte: nothing twice, nothing lost across the restart",
    );
    assert.equal(served.stderr, streams.stderr, "and its stderr");
    const file = await readFile(path.join(agent.stateDir, "run-logs", `${runId}.log`));
    assert.equal(sha256(file), sha256(whole.data), "the file on the host is what run.logs.read serves");

    const middle = await again.request("run.logs.read", { runId, offset: 5_000_000, length: 1000 });
    assert.equal(Buffer.from(middle.data, "base64").toString("latin1"), whole.data.subarray(5_000_000, 5_001_000).toString("latin1"), "a read from an offset serves that range");

    const destroyed = await again.request("run.destroy", { runId });
    assert.ok(
      destroyed.removed.some((name) => name.endsWith(`${runId}.log`)),
      `run.destroy reports the log file removed: ${destroyed.removed.join(", ")}`,
    );
    await assert.rejects(stat(path.join(agent.stateDir, "run-logs", `${runId}.log`)), "the file is gone");
    await assert.rejects(again.request("run.logs.read", { runId, offset: 0, length: 1 }), /not on this host/);
    again.close();
  });

  it("a run that ends while its agent is down: the restarted agent reads the rest of its log and completes it", async () => {
    const peer = await agent.connect();
    const runId = `ended-${randomBytes(4).toString("hex")}`;
    await peer.request(
      "run.create",
      { runId, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", 'yes before | head -c 100000; sleep 2; yes after | head -c 300000; echo "last line" >&2'] } },
      { timeoutMs: 120_000 },
    );
    await peer.request("run.start", { runId });
    await waitFor("the first part in the file", async () => (await peer.request("run.logs.read", { runId, offset: 0, length: 1 })).sizeBytes >= 100_000);
    peer.close();
    await agent.kill("SIGKILL");
    await waitFor("the container to exit", async () => !(await docker.getContainer(`bailey-${runId}`).inspect()).State.Running);
    await agent.restart();
    const again = await agent.connect();
    const whole = await waitFor("the log to be complete", async () => {
      const read = await readWholeLog(again, runId);
      return read.complete ? read : null;
    });
    const engine = await engineLog(`bailey-${runId}`);
    assert.equal(whole.data.length, 400_010);
    assert.equal(sha256(whole.data), sha256(engine), "the file is the engine's log, its end read by the restarted agent");
    await again.request("run.destroy", { runId });
    again.close();
  });

  it("a run whose image cannot be had never starts a container: its log is empty and complete", async () => {
    const peer = await agent.connect();
    const runId = `nolog-${randomBytes(4).toString("hex")}`;
    await assert.rejects(peer.request("run.create", { runId, spec: { image: "bailey-test/no-such-image:missing", command: ["true"] } }, { timeoutMs: 120_000 }));
    const read = await peer.request("run.logs.read", { runId, offset: 0, length: 1024 });
    assert.deepEqual(read, { data: "", sizeBytes: 0, complete: true });
    await peer.request("run.destroy", { runId });
    peer.close();
  });
});
