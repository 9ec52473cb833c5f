import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { RpcError, rpcErrorCodes } from "../src/errors";
import { encodeFrame } from "../src/framing";
import { connect, pauseAboveBytes, RpcPeer, serve } from "../src/peer";
import type { RpcStream } from "../src/stream";
import { protocolVersion } from "../src/version";
import { agentRun, hello, newProbe, sleep, testHandlers, transports, until, type Probe } from "./support";

const isCode = (code: number, pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof RpcError, `expected an RpcError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  return true;
};

async function collect(stream: RpcStream<unknown>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.data.toString();
  return text;
}

for (const transport of transports) {
  describe(`RpcPeer over a ${transport.name}`, () => {
    let client: RpcPeer;
    let _server: RpcPeer;
    let probe: Probe;
    let cleanup: () => Promise<void>;
    const handlerErrors: string[] = [];

    before(async () => {
      const ends = await transport.open();
      cleanup = ends.cleanup;
      probe = newProbe();
      client = connect(ends.client);
      _server = serve(ends.server, testHandlers(probe), { onHandlerError: (method, error) => handlerErrors.push(`${method}: ${(error as Error).message}`) });
    });
    after(async () => cleanup());

    it("says hello with typed results", async () => {
      const result = await client.request("agent.hello", { protocolVersion, client: "test" });
      assert.deepEqual(result, hello);
      assert.equal(result.features.runsc, true);
    });

    it("answers 200 concurrent requests interleaved with two live streams, each with its own answer", async () => {
      const streamA = client.openStream("run.logs", { runId: "a", tail: 300 });
      const streamB = client.openStream("run.logs", { runId: "b", tail: 300 });
      const [textA, textB, results] = await Promise.all([
        collect(streamA),
        collect(streamB),
        Promise.all(Array.from({ length: 200 }, (_, i) => client.request("run.inspect", { runId: `jitter${i}` }))),
      ]);
      assert.deepEqual(
        results.map((run) => run.runId),
        Array.from({ length: 200 }, (_, i) => `jitter${i}`),
      );
      const linesA = textA.split("\n").filter(Boolean);
      assert.deepEqual(
        linesA,
        Array.from({ length: 300 }, (_, i) => `a line ${i}`),
        "in order, none lost, none foreign",
      );
      assert.ok(
        textB
          .split("\n")
          .filter(Boolean)
          .every((line) => line.startsWith("b line")),
      );
      assert.equal((await streamA.result).bytes, Buffer.byteLength(textA));
    });

    it("delivers a call's chunks to onChunk ahead of its result (run.exec may stream)", async () => {
      const seen: string[] = [];
      const result = await client.request("run.exec", { runId: "r1", command: ["echo", "hi"] }, { onChunk: (chunk) => seen.push(`${chunk.fd}:${chunk.data}`) });
      assert.deepEqual(seen, ["stdout:echo hi"]);
      assert.equal(result.exitCode, 0);
    });

    it("answers unknown methods, bad params, domain errors, crashes and bad results with typed errors", async () => {
      await assert.rejects(client.request("nope.nothing" as "run.inspect", { runId: "x" }), isCode(rpcErrorCodes.methodNotFound, /Unknown method "nope.nothing"/));
      await assert.rejects(client.request("run.start", { runId: "x" }), isCode(rpcErrorCodes.methodNotFound), "a known method without a handler");
      await assert.rejects(client.request("run.inspect", { runId: "../../etc" }), isCode(rpcErrorCodes.invalidParams, /Invalid params for run.inspect: runId: must be 1-63 lower-case letters/));
      await assert.rejects(client.request("run.inspect", { runId: "x", extra: 1 } as never), isCode(rpcErrorCodes.invalidParams, /Unrecognized key/));
      await assert.rejects(
        client.request("run.inspect", {} as never),
        (error: RpcError) => isCode(rpcErrorCodes.invalidParams, /runId: /)(error) && Array.isArray((error.data as { issues?: unknown }).issues),
      );
      await assert.rejects(client.request("run.inspect", { runId: "missing" }), isCode(rpcErrorCodes.runNotFound, /not on this host/));
      await assert.rejects(client.request("run.inspect", { runId: "boom" }), isCode(rpcErrorCodes.internalError, /^run.inspect failed: disk on fire$/));
      await assert.rejects(client.request("run.inspect", { runId: "bad-result" }), isCode(rpcErrorCodes.internalError, /does not match the protocol: state: /));
      assert.deepEqual(
        handlerErrors.map((line) => line.split(":")[0]),
        ["run.inspect", "run.inspect"],
        "the server sees the crashes it hid",
      );
      assert.deepEqual(await client.request("run.inspect", { runId: "still-fine" }), agentRun("still-fine"), "the connection survives all of that");
    });

    it("refuses an incompatible protocol version, even when the hello has another shape", async () => {
      await assert.rejects(client.request("agent.hello", { protocolVersion: 99, client: "test" }), isCode(rpcErrorCodes.incompatibleVersion, /speaks version 99/));
      await assert.rejects(
        client.request("agent.hello", { protocolVersion: protocolVersion + 1, name: "future", capabilities: [] } as never),
        isCode(rpcErrorCodes.incompatibleVersion, /Upgrade the agent/),
      );
      assert.equal((await client.request("agent.hello", { protocolVersion, client: "test", extra: true } as never)).hostId, "h1", "extra hello fields are fine");
    });

    it("times out instead of hanging, and tells the server to stop", async () => {
      const before = probe.slowAborted;
      const started = Date.now();
      await assert.rejects(client.request("run.inspect", { runId: "slow1" }, { timeoutMs: 100 }), isCode(rpcErrorCodes.timeout, /no answer within 100 ms/));
      assert.ok(Date.now() - started < 1_000);
      await until(() => probe.slowAborted === before + 1);
    });

    it("cancels through an AbortSignal, before and after sending", async () => {
      const controller = new AbortController();
      const call = client.request("run.inspect", { runId: "slow2" }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(call, isCode(rpcErrorCodes.timeout, /cancelled/));
      await assert.rejects(client.request("run.inspect", { runId: "x" }, { signal: AbortSignal.abort() }), isCode(rpcErrorCodes.timeout, /cancelled before it was sent/));
    });

    it("cancelling a stream stops the producer on the other side", async () => {
      const stream = client.openStream("run.logs", { runId: "follow1", follow: true });
      let seen = 0;
      for await (const _chunk of stream.chunks) if (++seen === 5) stream.cancel();
      assert.ok(seen >= 5);
      await assert.rejects(stream.result, isCode(rpcErrorCodes.timeout, /cancelled/));
      await until(() => probe.producers.get("follow1")?.stopped === true);
      assert.equal(probe.producers.get("follow1")?.aborted, true);
      const written = probe.producers.get("follow1")?.written;
      await sleep(50);
      assert.equal(probe.producers.get("follow1")?.written, written, "nothing more is produced");
    });

    it("breaking out of the loop cancels too", async () => {
      const stream = client.openStream("run.logs", { runId: "follow2", follow: true });
      for await (const _chunk of stream) break;
      await until(() => probe.producers.get("follow2")?.stopped === true);
    });

    it("does not buffer without bound when the consumer is slow: the producer waits", async () => {
      const stream = client.openStream("run.logs", { runId: "big1", tail: 1024 }); // 64 MiB in all
      await sleep(300);
      const producedWhileIdle = probe.producers.get("big1")?.written ?? 0;
      assert.ok(producedWhileIdle > 0 && producedWhileIdle < pauseAboveBytes + 16 * 1024 * 1024, `produced ${producedWhileIdle} bytes with nobody reading`);
      let received = 0;
      for await (const chunk of stream) received += chunk.data.length;
      assert.equal(received, 64 * 1024 * 1024);
      assert.equal((await stream.result).bytes, received);
      assert.equal((await client.request("run.inspect", { runId: "after-big" })).runId, "after-big", "the connection reads again");
    });
  });
}

describe("connection loss", () => {
  for (const transport of transports) {
    it(`over a ${transport.name}: pending calls reject, open streams end with an error, later calls fail at once`, async () => {
      const ends = await transport.open();
      const probe = newProbe();
      const client = new RpcPeer(ends.client);
      serve(ends.server, testHandlers(probe));
      try {
        const pending = client.request("run.inspect", { runId: "slow3" }, { timeoutMs: 10_000 });
        const stream = client.openStream("run.logs", { runId: "follow3", follow: true });
        const streamed = collect(stream);
        await until(() => (probe.producers.get("follow3")?.written ?? 0) > 0);
        ends.server.destroy();
        await assert.rejects(pending, isCode(rpcErrorCodes.connectionClosed));
        await assert.rejects(streamed, isCode(rpcErrorCodes.connectionClosed));
        await assert.rejects(stream.result, isCode(rpcErrorCodes.connectionClosed));
        await assert.rejects(client.request("run.inspect", { runId: "after" }), isCode(rpcErrorCodes.connectionClosed));
        await client.closed;
        assert.equal(client.isClosed, true);
        await until(() => probe.producers.get("follow3")?.stopped === true && probe.slowAborted === 1);
      } finally {
        await ends.cleanup();
      }
    });
  }

  it("a half-close (the peer ends its side) rejects pending calls rather than leaving them waiting", async () => {
    const ends = await transports[0]!.open();
    const client = new RpcPeer(ends.client);
    const pending = client.request("run.inspect", { runId: "x" }, { timeoutMs: 0 });
    ends.server.end(); // the server never answers and will send nothing more
    await assert.rejects(pending, isCode(rpcErrorCodes.connectionClosed, /peer closed/));
    await ends.cleanup();
  });

  it("closing this side rejects its own pending calls", async () => {
    const ends = await transports[1]!.open();
    const client = new RpcPeer(ends.client);
    const pending = client.request("run.inspect", { runId: "x" }, { timeoutMs: 0 });
    client.close();
    await assert.rejects(pending, isCode(rpcErrorCodes.connectionClosed, /closed by this side/));
    await ends.cleanup();
  });
});

describe("garbage on the wire (raw Unix socket)", () => {
  async function rawServer(): Promise<{ raw: Duplex; replies(count: number): Promise<unknown[]>; closed: Promise<void>; cleanup(): Promise<void> }> {
    const ends = await transports[1]!.open();
    const peer = serve(ends.server, testHandlers(newProbe()));
    let buffer = Buffer.alloc(0);
    const messages: unknown[] = [];
    ends.client.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        messages.push(JSON.parse(buffer.subarray(4, 4 + buffer.readUInt32BE(0)).toString()));
        buffer = buffer.subarray(4 + buffer.readUInt32BE(0));
      }
    });
    return {
      raw: ends.client,
      replies: async (count) => (await until(() => messages.length >= count), messages.slice(0, count)),
      closed: peer.closed,
      cleanup: ends.cleanup,
    };
  }

  it("answers bad JSON with -32700 and non-JSON-RPC with -32600, and keeps serving", async () => {
    const { raw, replies, cleanup } = await rawServer();
    raw.write(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from("{nope")]));
    raw.write(encodeFrame({ hello: "world" }));
    raw.write(encodeFrame([{ jsonrpc: "2.0", id: 1, method: "run.inspect" }]));
    raw.write(encodeFrame({ jsonrpc: "2.0", id: 7, method: "run.inspect", params: { runId: "raw" } }));
    const [parse, invalid, batch, ok] = (await replies(4)) as { id: unknown; error?: { code: number; message: string }; result?: { runId: string } }[];
    assert.equal(parse?.error?.code, -32700);
    assert.equal(invalid?.error?.code, -32600);
    assert.match(batch?.error?.message ?? "", /batches are not supported/);
    assert.deepEqual([ok?.id, ok?.result?.runId], [7, "raw"]);
    await cleanup();
  });

  it("refuses an oversized frame from its header, says why, and hangs up", async () => {
    const { raw, replies, closed, cleanup } = await rawServer();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 * 1024, 0);
    raw.write(header);
    const [reply] = (await replies(1)) as { error?: { code: number; message: string } }[];
    assert.equal(reply?.error?.code, -32600);
    assert.match(reply?.error?.message ?? "", /exceeds the 16777216-byte limit/);
    await closed;
    await new Promise((resolve) => (raw.destroyed ? resolve(null) : raw.once("close", resolve)));
    await cleanup();
  });
});
