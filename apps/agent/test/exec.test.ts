import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ExecEnd, isRpcError, type RpcPeer, type RpcStream, rpcErrorCodes, type StreamChunk } from "@bailey/protocol";
import { DockerRuntime } from "@bailey/runtime";
import { ExecSessions } from "../src/exec/exec-sessions";
import { type AgentProcess, docker, dockerSocket, startAgent } from "../src/testing";

const image = "bailey-test/busybox:latest";
const sessionId = () => randomUUID();
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Reads an exec.open stream as text, as far as asked. */
function reader<R = ExecEnd>(stream: RpcStream<R>) {
  const iterator = stream.chunks[Symbol.asyncIterator]();
  const chunks: StreamChunk[] = [];
  let text = "";
  let bytes = 0;
  return {
    chunks,
    get text() {
      return text;
    },
    get bytes() {
      return bytes;
    },
    /** Reads until the output so far matches (or the stream ends: then it fails saying what came). */
    async until(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(text.slice(-500))}`);
        let timer: NodeJS.Timeout | undefined;
        const next = await Promise.race([
          iterator.next(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(text.slice(-500))}`)), deadline - Date.now()))),
        ]).finally(() => clearTimeout(timer));
        if (next.done) throw new Error(`the stream ended before ${pattern}; got ${JSON.stringify(text.slice(-500))}`);
        chunks.push(next.value);
        text += next.value.data.toString("latin1");
        bytes += next.value.data.length;
      }
      return text;
    },
    async rest(): Promise<R> {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        chunks.push(next.value);
        text += next.value.data.toString("latin1");
        bytes += next.value.data.length;
      }
      return stream.result;
    },
  };
}

describe("interactive exec sessions on a real agent (Docker)", () => {
  const hostId = `exec-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  const runs = { gvisor: `exec-g-${randomBytes(3).toString("hex")}`, none: `exec-r-${randomBytes(3).toString("hex")}` };
  const ttyRun = `exec-t-${randomBytes(3).toString("hex")}`;

  before(async () => {
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peer = await agent.connect();
    for (const [sandbox, runId] of Object.entries(runs)) {
      await peer.request("run.create", { runId, spec: { image, command: ["sleep", "3600"], sandbox: sandbox as "gvisor" | "none" } }, { timeoutMs: 60_000 });
      await peer.request("run.start", { runId });
    }
    await peer.request("run.create", { runId: ttyRun, spec: { image, command: ["sh"], tty: true } }, { timeoutMs: 60_000 });
    await peer.request("run.start", { runId: ttyRun });
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  for (const [sandbox, runtimeName] of [
    ["gvisor", "runsc"],
    ["none", "runc"],
  ] as const) {
    it(`${runtimeName}: a TTY shell echoes what is typed, its terminal takes exec.resize, and its exit code comes back`, async () => {
      const id = sessionId();
      const shell = reader(peer.openStream("exec.open", { sessionId: id, runId: runs[sandbox], command: ["sh"], tty: true, cols: 100, rows: 30 }));
      await shell.until(/\/ # /);
      assert.deepEqual(await peer.request("exec.input", { sessionId: id, data: b64('stty size; echo h""i\n') }), { written: 21 });
      await shell.until(/\r\nhi\r\n/);
      assert.match(shell.text, /30 100\r\n/, "the size given at open");
      await peer.request("exec.resize", { sessionId: id, cols: 120, rows: 40 });
      await peer.request("exec.input", { sessionId: id, data: b64("stty size\n") });
      await shell.until(/40 120\r\n/);
      await peer.request("exec.input", { sessionId: id, data: b64("exit 5\n") });
      const end = await shell.rest();
      assert.deepEqual(end, { sessionId: id, exitCode: 5, reason: "exited", outputBytes: shell.bytes });
      assert.ok(
        shell.chunks.every((chunk) => chunk.fd === "stdout"),
        "a TTY's output is all stdout",
      );
      await assert.rejects(
        peer.request("exec.input", { sessionId: id, data: b64("x") }),
        (error: unknown) => isRpcError(error, rpcErrorCodes.conflict) && /is not open on this host/.test(error.message),
      );
    });

    it(`${runtimeName}: without a TTY, stdout and stderr stay apart, and stdin's EOF ends cat`, async () => {
      const split = reader(peer.openStream("exec.open", { sessionId: sessionId(), runId: runs[sandbox], command: ["sh", "-c", "echo out; echo err >&2; exit 3"] }));
      const end = await split.rest();
      assert.equal(end.exitCode, 3);
      assert.equal(Buffer.concat(split.chunks.filter((chunk) => chunk.fd === "stdout").map((chunk) => chunk.data)).toString(), "out\n");
      assert.equal(Buffer.concat(split.chunks.filter((chunk) => chunk.fd === "stderr").map((chunk) => chunk.data)).toString(), "err\n");

      const id = sessionId();
      const cat = reader(peer.openStream("exec.open", { sessionId: id, runId: runs[sandbox], command: ["cat"], stdin: true }));
      await peer.request("exec.input", { sessionId: id, data: b64("first\n") });
      await cat.until(/first\n/);
      await peer.request("exec.input", { sessionId: id, data: b64("last"), eof: true });
      assert.deepEqual(await cat.rest(), { sessionId: id, exitCode: 0, reason: "exited", outputBytes: 10 });
      assert.equal(cat.text, "first\nlast");
    });
  }

  it("detaches when the stream is cancelled (the process runs on) and a resume replays what was missed", async () => {
    const id = sessionId();
    const runId = runs.gvisor;
    const command = ["sh", "-c", "echo start; read x; echo after $x; sleep 0.3; echo done"];
    const first = peer.openStream("exec.open", { sessionId: id, runId, command, stdin: true });
    const firstReader = reader(first);
    await firstReader.until(/start\n/);
    first.cancel();
    await assert.rejects(first.result, (error: unknown) => isRpcError(error, rpcErrorCodes.timeout));
    // Input reaches the detached process; its output waits in the replay buffer.
    await peer.request("exec.input", { sessionId: id, data: b64("go\n") });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await assert.rejects(peer.request("exec.open", { sessionId: id, runId, command }), /is open already: resume it with resumeFromOffset/);
    await assert.rejects(peer.request("exec.open", { sessionId: id, runId: runs.none, command, resumeFromOffset: 0 }), /belongs to another run/);
    const resumed = reader(peer.openStream("exec.open", { sessionId: id, runId, command, resumeFromOffset: firstReader.bytes }));
    const end = await resumed.rest();
    assert.equal(resumed.text, "after go\ndone\n", "exactly the bytes after the resume offset");
    assert.deepEqual(end, { sessionId: id, exitCode: 0, reason: "exited", outputBytes: firstReader.bytes + resumed.bytes });
  });

  it("a second caller resuming a session takes it over: the first stream ends with a conflict", async () => {
    const id = sessionId();
    const runId = runs.gvisor;
    const command = ["cat"];
    const first = reader(peer.openStream("exec.open", { sessionId: id, runId, command, stdin: true }));
    await peer.request("exec.input", { sessionId: id, data: b64("one\n") });
    await first.until(/one\n/);
    const second = reader(peer.openStream("exec.open", { sessionId: id, runId, command, resumeFromOffset: 0 }));
    await assert.rejects(first.rest(), (error: unknown) => isRpcError(error, rpcErrorCodes.conflict) && /resumed by another caller/.test(error.message));
    await second.until(/one\n/);
    assert.equal(second.text, "one\n", "a resume from 0 replays everything kept");
    assert.deepEqual(await peer.request("exec.close", { sessionId: id }), { closed: true });
    const end = await second.rest();
    assert.equal(end.reason, "closed");
    assert.deepEqual(await peer.request("exec.close", { sessionId: id }), { closed: false }, "closing an ended session again is not an error");
  });

  it("5 MiB of output arrives intact through a slow reader", async () => {
    const size = 5 * 1024 * 1024;
    const stream = peer.openStream("exec.open", { sessionId: sessionId(), runId: runs.gvisor, command: ["sh", "-c", `yes 0123456789abcdef | head -c ${size}`] });
    const hash = createHash("sha256");
    let bytes = 0;
    let first = true;
    for await (const chunk of stream.chunks) {
      // Stalls the reader once: the agent (and the process) must wait, not drop or buffer without bound.
      if (first) await new Promise((resolve) => setTimeout(resolve, 1000));
      first = false;
      hash.update(chunk.data);
      bytes += chunk.data.length;
    }
    const end = await stream.result;
    assert.equal(bytes, size);
    assert.equal(end.outputBytes, size);
    assert.equal(end.exitCode, 0);
    const expected = createHash("sha256").update(Buffer.from("0123456789abcdef\n".repeat(Math.ceil(size / 17))).subarray(0, size));
    assert.equal(hash.digest("hex"), expected.digest("hex"));
  });

  it("attaches to a tty run's main process: typed input reaches it, its output comes back and lands in the run's log", async () => {
    const id = sessionId();
    const attached = reader(peer.openStream("exec.open", { sessionId: id, runId: ttyRun, attach: true, cols: 90, rows: 20 }));
    await peer.request("exec.input", { sessionId: id, data: b64('echo at""tached; stty size\n') });
    await attached.until(/\r\nattached\r\n20 90\r\n/);
    assert.deepEqual(await peer.request("exec.close", { sessionId: id }), { closed: true });
    const end = await attached.rest();
    assert.equal(end.reason, "closed");
    assert.equal(end.exitCode, null, "an attach closed by its caller has no exit code");
    assert.equal((await peer.request("run.inspect", { runId: ttyRun })).state, "running", "closing an attach leaves the main process running");

    const logs = reader(peer.openStream("run.logs", { runId: ttyRun }));
    await logs.rest();
    assert.match(logs.text, /\r\nattached\r\n/, "run.logs reads a TTY container's raw log");
    let logFile = "";
    for (let i = 0; i < 20 && !logFile.includes("attached"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      logFile = Buffer.from((await peer.request("run.logs.read", { runId: ttyRun, offset: 0, length: 65536 })).data, "base64").toString();
    }
    assert.match(logFile, /\r\nattached\r\n/, "the run's log file follows a TTY container");

    // The main process ends: an attached session ends with the run.
    const again = sessionId();
    const last = reader(peer.openStream("exec.open", { sessionId: again, runId: ttyRun, attach: true }));
    await peer.request("exec.input", { sessionId: again, data: b64("exit 4\n") });
    assert.deepEqual(await last.rest(), { sessionId: again, exitCode: 4, reason: "run-ended", outputBytes: last.bytes });
  });

  it("an attach to a run without a TTY is output only: input is refused, saying why", async () => {
    const id = sessionId();
    const attached = peer.openStream("exec.open", { sessionId: id, runId: runs.none, attach: true, stdin: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(peer.request("exec.input", { sessionId: id, data: b64("x") }), (error: unknown) => isRpcError(error, rpcErrorCodes.conflict) && /has no terminal/.test(error.message));
    await peer.request("exec.resize", { sessionId: id, cols: 80, rows: 24 }); // nothing to resize: not an error
    await peer.request("exec.close", { sessionId: id });
    assert.equal((await attached.result).reason, "closed");
  });

  it("a run that stops ends its open sessions (run-ended), and a stopped run is refused", async () => {
    const runId = runs.none;
    const id = sessionId();
    const shell = reader(peer.openStream("exec.open", { sessionId: id, runId, command: ["sh"], tty: true }));
    await shell.until(/\/ # /);
    await peer.request("run.stop", { runId, graceSeconds: 1 }, { timeoutMs: 30_000 });
    const end = await shell.rest();
    assert.equal(end.reason, "run-ended");
    await assert.rejects(
      peer.request("exec.open", { sessionId: sessionId(), runId, command: ["true"] }),
      (error: unknown) => isRpcError(error, rpcErrorCodes.conflict) && /is exited; exec and attach need a running run/.test(error.message),
    );
    await assert.rejects(peer.request("exec.open", { sessionId: sessionId(), runId: "no-such-run", command: ["true"] }), (error: unknown) => isRpcError(error, rpcErrorCodes.runNotFound));
  });
});

describe("exec sessions' grace period and bounds (in-process, a real gVisor container)", () => {
  const runtime = new DockerRuntime({ socketPath: dockerSocket });
  let containerId = "";
  const runId = `exec-grace-${randomBytes(3).toString("hex")}`;
  const sessions = new ExecSessions({
    runtime,
    runs: {
      inspect: () => ({ runId, state: "running" }) as never,
      containerOf: () => containerId,
    },
    detachGraceMs: 1000,
    maxSessionsPerRun: 2,
  });
  const handlers = sessions.handlers();

  before(async () => {
    containerId = await runtime.createContainer({ name: `bailey-${runId}`, image, command: ["sleep", "3600"], labels: { "bailey.test": runId }, sandbox: "gvisor" });
    await runtime.startContainer(containerId);
  });
  after(async () => {
    await sessions.closeAll();
    await runtime.removeContainer(containerId);
  });

  const psSleepers = async () => (await runtime.exec(containerId, ["ps"])).stdout.split("\n").filter((line) => line.includes("sleep 1000")).length;

  it("a detached session whose grace period passes is killed and forgotten; the registry is bounded per run", async () => {
    const controllers = [new AbortController(), new AbortController()];
    const ids = [sessionId(), sessionId()];
    const open = (i: number) =>
      handlers["exec.open"](
        { sessionId: ids[i] as string, runId, command: ["sh", "-c", "sleep 1000"], attach: false, tty: true, stdin: false, env: {} },
        { signal: (controllers[i] as AbortController).signal, method: "exec.open", write: async () => undefined },
      );
    const calls = [open(0), open(1)];
    for (let i = 0; i < 50 && (await psSleepers()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await psSleepers(), 2);
    await assert.rejects(
      handlers["exec.open"](
        { sessionId: sessionId(), runId, command: ["true"], attach: false, tty: false, stdin: false, env: {} },
        { signal: new AbortController().signal, method: "exec.open", write: async () => undefined },
      ),
      /has 2 exec sessions open/,
    );
    for (const controller of controllers) controller.abort();
    for (const call of calls) await assert.rejects(call, /was detached/);
    assert.equal(sessions.count(runId), 2, "detached sessions are kept for the grace period");
    for (let i = 0; i < 60 && sessions.count(runId) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sessions.count(runId), 0, "forgotten once the grace period passed");
    assert.equal(await psSleepers(), 0, "their processes were killed");
    await assert.rejects(
      handlers["exec.input"]({ sessionId: ids[0] as string, data: b64("x"), eof: false }, { signal: new AbortController().signal, method: "exec.input", write: async () => undefined }),
      /is not open on this host/,
    );
  });

  it("docker's view agrees: nothing of the sessions is left", async () => {
    // Every exec the sessions made has ended (Docker keeps ended execs' records only while they run).
    const info = await docker.getContainer(containerId).inspect();
    assert.equal((info.ExecIDs ?? []).length, 0);
  });
});
