import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { type RpcError, rpcErrorCodes } from "@bailey/protocol";
import { AgentConnection, HostKeyMismatchError, LocalTransport, SshTransport } from "../src";
import { generateKeyPair, startSshd, type KeyPair, type RunningSshd } from "../src/testing";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const agentMain = path.join(root, "apps/agent/src/main.ts");

describe("agent connections over real sshd and over the local socket", () => {
  let dir = "";
  let socketPath = "";
  let dialLog = "";
  let agent: ChildProcess;
  let sshd: RunningSshd;
  let key: KeyPair;
  const hostId = `client-host-${randomBytes(3).toString("hex")}`;
  const transport = (overrides: Partial<ConstructorParameters<typeof SshTransport>[0]> = {}) =>
    new SshTransport({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: key.privateKey, hostKeyFingerprint: sshd.hostKeyFingerprint, ...overrides });
  const dials = () => (existsSync(dialLog) ? readFileSync(dialLog, "utf8").trim().split("\n").filter(Boolean).length : 0);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-client-"));
    await chmod(dir, 0o755);
    socketPath = path.join(dir, "agent.sock");
    dialLog = path.join(dir, "dials.log");
    agent = spawn(process.execPath, ["--import", "tsx", agentMain, "serve"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, BAILEY_AGENT_SOCKET: socketPath, BAILEY_AGENT_STATE_DIR: path.join(dir, "state"), BAILEY_HOST_ID: hostId, BAILEY_RUNTIME: "docker" },
    });
    for (let i = 0; i < 200 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    // The forced command, logging each time it runs so the test can count sessions.
    const wrapper = path.join(dir, "bailey-agent");
    await writeFile(wrapper, `#!/bin/sh\necho dial >> ${dialLog}\nexport BAILEY_AGENT_SOCKET=${socketPath}\ncd ${root}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`, { mode: 0o755 });
    key = await generateKeyPair();
    sshd = await startSshd({ authorizedKeys: [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`] });
  });
  after(async () => {
    await sshd?.stop();
    agent?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("one SSH channel carries every request to the host", async () => {
    const connection = new AgentConnection(transport());
    try {
      assert.equal((await connection.hello()).hostId, hostId);
      const results = await Promise.all(Array.from({ length: 100 }, () => connection.request("events.pull", { afterSeq: 0, limit: 1 })));
      assert.equal(results.length, 100);
      assert.equal(dials(), 1, "a single session served hello and 100 requests");
    } finally {
      connection.close();
    }
  });

  it("a host presenting another key is refused before anything runs, reported once, and never retried", async () => {
    const before = dials();
    const reported: HostKeyMismatchError[] = [];
    const connection = new AgentConnection(transport({ hostKeyFingerprint: "SHA256:AAAAnotthekeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", onHostKeyMismatch: (error) => reported.push(error) }), {
      baseBackoffMs: 1,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(connection.hello(), (error: unknown) => {
        assert.ok(error instanceof HostKeyMismatchError);
        assert.equal(error.presented, sshd.hostKeyFingerprint);
        assert.match(error.message, /Nothing was run there/);
        return true;
      });
    }
    assert.equal(reported.length, 1, "refused once; later calls fail without dialling again");
    assert.equal(dials(), before, "the forced command never ran");
  });

  it("reconnects by itself after the session is cut, and pending calls fail clearly instead of hanging", async () => {
    const connection = new AgentConnection(transport(), { baseBackoffMs: 10 });
    try {
      await connection.hello();
      const before = dials();
      // Cut the session: kill the dial-stdio relay sshd started for it.
      const relays = relaysFor(socketPath);
      for (const pid of relays) process.kill(pid, "SIGKILL");
      await assert.rejects(
        connection.request("run.inspect", { runId: "r1" }, { timeoutMs: 5_000 }),
        (error: RpcError) => error.code === rpcErrorCodes.connectionClosed || error.code === rpcErrorCodes.runNotFound,
      );
      const again = await connection.request("events.pull", { afterSeq: 0, limit: 1 });
      assert.ok(again.lastSeq >= 0);
      assert.ok(dials() > before, "a new session was opened");
    } finally {
      connection.close();
    }
  });

  it("an unreachable host fails with the address and backs off, without crashing", async () => {
    const connection = new AgentConnection(transport({ port: 1, readyTimeoutMs: 2_000 }), { baseBackoffMs: 200, random: () => 1 });
    await assert.rejects(connection.hello(), /SSH to ssh:\/\/.*:1 failed: connect ECONNREFUSED/);
    const started = Date.now();
    await assert.rejects(connection.hello());
    assert.ok(Date.now() - started >= 150, "the retry waited out its backoff");
  });

  it("the local transport speaks the same protocol over the Unix socket", async () => {
    const connection = new AgentConnection(new LocalTransport(socketPath));
    try {
      assert.equal((await connection.hello()).hostId, hostId);
    } finally {
      connection.close();
    }
    await assert.rejects(new AgentConnection(new LocalTransport(path.join(dir, "missing.sock"))).hello(), /Cannot reach the agent at .*missing\.sock: it is not running/);
  });
});

/** The dial-stdio relays serving this test's socket (not any other test's). */
function relaysFor(socketPath: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dial-stdio") && readFileSync(`/proc/${pid}/environ`, "utf8").includes(`BAILEY_AGENT_SOCKET=${socketPath}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
