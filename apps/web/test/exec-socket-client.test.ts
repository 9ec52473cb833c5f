import assert from "node:assert/strict";
import { test } from "node:test";
import { type ExecSocketStatus, ExecSocketClient, type WebSocketLike } from "../src/lib/exec-socket-client";

/** A socket the test drives: what the client sent, and the server's side as calls. */
class FakeSocket implements WebSocketLike {
  binaryType: BinaryType = "blob";
  readyState = 0;
  sent: (string | Uint8Array)[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string | ArrayBufferLike | ArrayBufferView) {
    this.sent.push(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
  }
  close() {
    this.drop(1000);
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  text(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  output(text: string) {
    const bytes = new TextEncoder().encode(text);
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = 1;
    frame.set(bytes, 1);
    this.onmessage?.({ data: frame.buffer });
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
}

const sessionId = "session-0001";
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function harness(probe: () => Promise<{ status?: number; code: string; message: string } | null> = async () => null) {
  const sockets: FakeSocket[] = [];
  const statuses: ExecSocketStatus[] = [];
  let output = "";
  const client = new ExecSocketClient({
    runId: "run1",
    url: "ws://test/api/v1/runs/run1/exec",
    start: { command: ["/bin/sh"], tty: true, stdin: true },
    cols: 80,
    rows: 24,
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    probe,
    retryDelaysMs: [5, 10, 20],
    graceMs: 200,
    onOutput: (bytes) => (output += new TextDecoder().decode(bytes)),
    onStatus: (status) => statuses.push(status),
  });
  return { client, sockets, statuses, output: () => output };
}

test("starts a session, then resumes it after a drop with the output offset it has, skipping a replay it already holds", async () => {
  const { client, sockets, statuses, output } = harness();
  client.connect();
  const first = sockets[0]!;
  first.open();
  assert.deepEqual(JSON.parse(first.sent[0] as string), { type: "start", command: ["/bin/sh"], tty: true, stdin: true, cols: 80, rows: 24 });
  first.text({ type: "started", sessionId, resumed: false, outputOffset: 0 });
  first.output("hello ");
  client.send("ls\r");
  assert.deepEqual([...(first.sent[1] as Uint8Array)], [...new TextEncoder().encode("ls\r")]);

  first.drop();
  assert.equal(statuses.at(-1)?.kind, "reconnecting");
  client.send("typed while away");
  client.resize(100, 30);
  await tick(30);
  const second = sockets[1]!;
  second.open();
  assert.deepEqual(JSON.parse(second.sent[0] as string), { type: "resume", sessionId, outputOffset: 6, cols: 100, rows: 30 });
  // The server replays from 3: "lo " is already here.
  second.text({ type: "started", sessionId, resumed: true, outputOffset: 3 });
  assert.equal(new TextDecoder().decode(second.sent[1] as Uint8Array), "typed while away");
  second.output("lo world");
  assert.equal(output(), "hello world");
  assert.equal(client.outputBytes, 11);

  second.text({ type: "exit", exitCode: 0, reason: "exited" });
  assert.deepEqual(statuses.at(-1), { kind: "ended", exitCode: 0, reason: "exited" });
  assert.equal(sockets.length, 2, "no reconnect after the session ended");
});

test("a refused upgrade stops at once with the probe's reason; an unreachable server gives up after the grace period", async () => {
  const refused = harness(async () => ({ status: 403, code: "FORBIDDEN", message: "viewers cannot exec" }));
  refused.client.connect();
  refused.sockets[0]!.drop();
  await tick(30);
  assert.deepEqual(refused.statuses.at(-1), { kind: "failed", refusal: { status: 403, code: "FORBIDDEN", message: "viewers cannot exec" } });
  assert.equal(refused.sockets.length, 1);

  const gone = harness();
  gone.client.connect();
  const started = Date.now();
  gone.sockets[0]!.open();
  gone.sockets[0]!.text({ type: "started", sessionId, resumed: false, outputOffset: 0 });
  gone.sockets[0]!.drop();
  while (gone.statuses.at(-1)?.kind !== "failed" && Date.now() - started < 2_000) {
    await tick(5);
    const last = gone.sockets.at(-1)!;
    if (last.readyState === 0) last.drop();
  }
  const last = gone.statuses.at(-1);
  assert.equal(last?.kind, "failed");
  assert.match(last?.kind === "failed" ? last.refusal.message : "", /lost for over/);
  const delays = gone.statuses.flatMap((status) => (status.kind === "reconnecting" ? [status.delayMs] : []));
  assert.deepEqual(delays.slice(0, 3), [5, 10, 20], "backoff doubles to its cap");
});

test("the page seeing the run end ends the session as run-ended, without retrying", async () => {
  const { client, sockets, statuses } = harness();
  client.connect();
  sockets[0]!.open();
  sockets[0]!.text({ type: "started", sessionId, resumed: false, outputOffset: 0 });
  client.runEnded();
  assert.deepEqual(statuses.at(-1), { kind: "ended", exitCode: null, reason: "run-ended" });
  await tick(30);
  assert.equal(sockets.length, 1);
});

test("a socket the browser refuses to create counts as a drop: the client retries instead of stopping", async () => {
  const sockets: FakeSocket[] = [];
  const statuses: ExecSocketStatus[] = [];
  let refusals = 2;
  const client = new ExecSocketClient({
    runId: "run1",
    url: "ws://test/api/v1/runs/run1/exec",
    start: { command: ["/bin/sh"], tty: true, stdin: true },
    cols: 80,
    rows: 24,
    createSocket: () => {
      if (refusals-- > 0) throw new DOMException("refused", "SyntaxError");
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    probe: async () => null,
    retryDelaysMs: [5, 10, 20],
    graceMs: 1_000,
    onOutput: () => undefined,
    onStatus: (status) => statuses.push(status),
  });
  client.connect();
  for (let i = 0; i < 50 && sockets.length === 0; i++) await tick(5);
  assert.equal(sockets.length, 1, "a socket was made once the browser allowed it");
  assert.ok(statuses.some((status) => status.kind === "reconnecting"));
  sockets[0]!.open();
  sockets[0]!.text({ type: "started", sessionId, resumed: false, outputOffset: 0 });
  assert.equal(statuses.at(-1)?.kind, "open");
});
