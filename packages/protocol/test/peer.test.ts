import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { encodeFrame } from "../src/framing";
import { RpcError, rpcErrorCodes } from "../src/errors";
import { RpcPeer, type Handlers } from "../src/peer";
import { assertCompatibleVersion, protocolVersion } from "../src/version";
import { duplexPair } from "./support";

const hello = {
  protocolVersion,
  agentVersion: "test",
  hostId: "h1",
  runtime: "mock" as const,
  features: { networks: true, sidecars: true, builds: true, runsc: true },
  cpus: 2,
  memoryBytes: 1024,
  runningRuns: [],
};

function agentRun(runId: string) {
  return { runId, state: "running" as const, containerId: "c", networkId: null, networkName: null, sidecars: [], exitCode: null, error: null, createdAt: "t", startedAt: null, finishedAt: null };
}

const handlers: Handlers = {
  "agent.hello": async (params) => {
    assertCompatibleVersion(params.protocolVersion, "control plane");
    return hello;
  },
  "run.inspect": async ({ runId }) => {
    if (runId === "missing") throw new RpcError(rpcErrorCodes.runNotFound, `Run ${runId} is not on this host.`);
    if (runId === "boom") throw new Error("disk on fire");
    if (runId === "slow") await new Promise((resolve) => setTimeout(resolve, 5_000));
    return agentRun(runId);
  },
  "run.logs": async ({ runId, follow }, ctx) => {
    let bytes = 0;
    for (let i = 0; follow ? !ctx.signal.aborted : i < 100; i++) {
      const data = Buffer.from(`${runId} line ${i}\n`);
      await ctx.write({ fd: i % 2 ? "stderr" : "stdout", data });
      bytes += data.length;
      if (follow) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { bytes };
  },
};

describe("RpcPeer over an in-memory pair", () => {
  const [clientEnd, serverEnd] = duplexPair();
  const client = new RpcPeer(clientEnd);
  new RpcPeer(serverEnd, handlers);

  it("200 concurrent requests interleaved with two live streams all get their own answers", async () => {
    const streamA = client.openStream("run.logs", { runId: "a" });
    const streamB = client.openStream("run.logs", { runId: "b" });
    const collect = async (stream: typeof streamA) => {
      let text = "";
      for await (const chunk of stream.chunks) text += chunk.data.toString();
      return text;
    };
    const [textA, textB, results] = await Promise.all([
      collect(streamA),
      collect(streamB),
      Promise.all(Array.from({ length: 200 }, (_, i) => client.request("run.inspect", { runId: `r${i}` }))),
    ]);
    assert.deepEqual(results.map((run) => run.runId), Array.from({ length: 200 }, (_, i) => `r${i}`));
    assert.equal(textA.split("\n").filter(Boolean).length, 100);
    assert.ok(textA.split("\n").filter(Boolean).every((line) => line.startsWith("a line")));
    assert.ok(textB.split("\n").filter(Boolean).every((line) => line.startsWith("b line")));
    assert.equal((await streamA.result).bytes, Buffer.byteLength(textA));
  });

  it("answers unknown methods, bad params, domain errors and crashes with typed errors", async () => {
    await assert.rejects(client.request("nope.nothing" as "run.inspect", { runId: "x" }), (error: RpcError) => error.code === -32601 && /Unknown method "nope.nothing"/.test(error.message));
    await assert.rejects(client.request("run.inspect", { runId: "../../etc" }), (error: RpcError) => error.code === -32602 && /runId: must be 1-63 lower-case letters/.test(error.message));
    await assert.rejects(client.request("run.inspect", { runId: "x", extra: 1 } as never), (error: RpcError) => error.code === -32602 && /Unrecognized key/.test(error.message));
    await assert.rejects(client.request("run.inspect", { runId: "missing" }), (error: RpcError) => error.code === rpcErrorCodes.runNotFound);
    await assert.rejects(client.request("run.inspect", { runId: "boom" }), (error: RpcError) => error.code === -32603 && /run.inspect failed: disk on fire/.test(error.message));
    assert.equal((await client.request("run.inspect", { runId: "still-fine" })).runId, "still-fine", "the connection survives all of that");
  });

  it("refuses an incompatible protocol version", async () => {
    await assert.rejects(client.request("agent.hello", { protocolVersion: 99, client: "test" }), (error: RpcError) => error.code === rpcErrorCodes.incompatibleVersion && /speaks version 99/.test(error.message));
    assert.equal((await client.request("agent.hello", { protocolVersion, client: "test" })).hostId, "h1");
  });

  it("times out instead of hanging", async () => {
    await assert.rejects(client.request("run.inspect", { runId: "slow" }, { timeoutMs: 100 }), (error: RpcError) => error.code === rpcErrorCodes.timeout);
  });

  it("cancelling a stream stops the producer on the other side", async () => {
    const stream = client.openStream("run.logs", { runId: "f", follow: true });
    let seen = 0;
    for await (const _chunk of stream.chunks) {
      if (++seen === 5) stream.cancel();
    }
    assert.ok(seen >= 5);
    const bytesAtCancel = await stream.result.catch(() => ({ bytes: -1 }));
    assert.ok(bytesAtCancel, "the call settles after cancel");
  });
});

describe("RpcPeer over a real Unix socket", () => {
  let dir = "";
  after(async () => rm(dir, { recursive: true, force: true }));

  it("round-trips, answers garbage with an error, and rejects pending calls when the connection drops", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-rpc-"));
    const socketPath = path.join(dir, "agent.sock");
    const serverSockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      serverSockets.push(socket);
      new RpcPeer(socket, handlers);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const socket = net.connect(socketPath);
      await new Promise((resolve) => socket.once("connect", resolve));
      const client = new RpcPeer(socket);
      assert.equal((await client.request("run.inspect", { runId: "over-unix" })).runId, "over-unix");

      const raw = net.connect(socketPath);
      const reply = new Promise<string>((resolve) => raw.once("data", (chunk) => resolve(chunk.subarray(4).toString())));
      raw.write(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from("{nope")]));
      assert.match(await reply, /-32700/);
      raw.write(encodeFrame({ hello: "world" }));
      raw.destroy();

      const pending = client.request("run.inspect", { runId: "slow" }, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const serverSocket of serverSockets) serverSocket.destroy();
      await assert.rejects(pending, (error: RpcError) => error.code === rpcErrorCodes.connectionClosed);
      await assert.rejects(client.request("run.inspect", { runId: "after" }), (error: RpcError) => error.code === rpcErrorCodes.connectionClosed);
    } finally {
      server.close();
    }
  });
});
