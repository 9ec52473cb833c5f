import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RpcPeer } from "@bailey/protocol";
import { type AgentProcess, agentMain, standinImage, startAgent } from "../src/testing";

describe("agent methods on a running container (Docker, gVisor)", () => {
  const hostId = `methods-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  const runId = `live-${randomBytes(4).toString("hex")}`;

  before(async () => {
    agent = await startAgent({ hostId, buildkitImage: standinImage });
    peer = await agent.connect();
    await peer.request("run.create", {
      runId,
      spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"], env: { GREETING: "hello; rm -rf /" } },
    });
    await peer.request("run.start", { runId });
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  it("execs with and without a TTY; env values reach the container verbatim, not through a shell", async () => {
    assert.deepEqual(await peer.request("run.exec", { runId, command: ["sh", "-c", 'printf %s "$GREETING"'] }), { exitCode: 0, stdout: "hello; rm -rf /", stderr: "" });
    const tty = await peer.request("run.exec", { runId, command: ["echo", "hi"], tty: true });
    assert.equal(tty.stdout.trim(), "hi");
    assert.equal((await peer.request("run.exec", { runId, command: ["sh", "-c", "exit 3"] })).exitCode, 3);
  });

  it("streams logs while the run is running, and cancelling stops the stream", async () => {
    const stream = peer.openStream("run.logs", { runId, follow: true });
    const lines: string[] = [];
    for await (const chunk of stream.chunks) {
      lines.push(...chunk.data.toString().split("\n").filter(Boolean));
      if (lines.length >= 5) stream.cancel();
    }
    assert.ok(lines.length >= 5);
    assert.match(lines[0] ?? "", /^tick \d+$/);
  });

  it("stops a running run within its grace period and reports its exit", async () => {
    const stopped = await peer.request("run.stop", { runId, graceSeconds: 1 }, { timeoutMs: 30_000 });
    assert.equal(stopped.state, "exited");
    assert.notEqual(stopped.exitCode, 0);
    assert.deepEqual((await peer.request("agent.hello", { protocolVersion: 1, client: "t" })).runningRuns, []);
  });

  it("doctor checks the engine, runsc, disk and the socket", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", agentMain, "doctor"], {
      encoding: "utf8",
      env: { ...process.env, BAILEY_AGENT_SOCKET: agent.socketPath, BAILEY_AGENT_STATE_DIR: agent.stateDir, BAILEY_RUNTIME: "docker" },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const check of ["container engine: docker answers", "gVisor (runsc): registered", "disk space:", "agent socket:"]) {
      assert.ok(result.stdout.includes(`ok   ${check}`), `${check} in:\n${result.stdout}`);
    }
    const broken = spawnSync(process.execPath, ["--import", "tsx", agentMain, "doctor"], {
      encoding: "utf8",
      env: { ...process.env, BAILEY_AGENT_SOCKET: `${agent.dir}/nothing.sock`, BAILEY_AGENT_STATE_DIR: agent.stateDir, BAILEY_RUNTIME: "docker" },
    });
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /FAIL agent socket: .*missing: the daemon is not running\n\s+fix: start it/);
  });
});
