import assert from "node:assert/strict";
import { type Duplex, PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { type RpcError, rpcErrorCodes } from "../src/errors";
import { BadFrameError, binaryFrameFlag, encodeChunkFrame, encodeChunkFrameHeader, encodeFrame, type Frame, FrameDecoder, FrameTooLargeError } from "../src/framing";
import { negotiateHello } from "../src/hello";
import { RpcPeer, serve } from "../src/peer";
import { minProtocolVersion, protocolVersion } from "../src/version";
import { duplexPair, newProbe, testHandlers, until } from "./support";

function decodeInPieces(bytes: Buffer, pieceBytes: number): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += pieceBytes) frames.push(...decoder.push(bytes.subarray(at, at + pieceBytes)));
  assert.equal(decoder.bufferedBytes, 0);
  return frames;
}

/** A frame header marked binary, claiming `bodyBytes`, followed by `body`. */
function binaryFrame(body: number[], bodyBytes = body.length): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE((binaryFrameFlag | bodyBytes) >>> 0);
  return Buffer.concat([header, Buffer.from(body)]);
}

describe("binary chunk frames", () => {
  it("carry a call id, an fd and raw bytes, split or merged with JSON frames in any way", () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bytes = Buffer.concat([encodeFrame({ a: 1 }), encodeChunkFrame(7, "stdout", every), encodeChunkFrame(0xffffffff, "stderr", Buffer.alloc(0)), encodeFrame({ b: 2 })]);
    for (const pieceBytes of [1, 3, 10, 64, bytes.length]) {
      const frames = decodeInPieces(bytes, pieceBytes);
      assert.equal(frames.length, 4);
      assert.equal(frames[0], '{"a":1}');
      assert.deepEqual(frames[1], { id: 7, fd: "stdout", data: every });
      assert.deepEqual(frames[2], { id: 0xffffffff, fd: "stderr", data: Buffer.alloc(0) });
      assert.equal(frames[3], '{"b":2}');
    }
  });

  it("refuses frames it cannot read, saying why, and stays refused (the stream cannot be resynchronised)", () => {
    const cases: [Buffer, RegExp][] = [
      [binaryFrame([1, 0, 0]), /Binary frame of 3 bytes is shorter than its 6-byte header/],
      [binaryFrame([9, 0, 0, 0, 0, 1, 65]), /unknown kind 9/],
      [binaryFrame([1, 2, 0, 0, 0, 1, 65]), /fd 2; only 0 \(stdout\) and 1 \(stderr\)/],
    ];
    for (const [bytes, why] of cases) {
      const decoder = new FrameDecoder();
      assert.throws(
        () => decoder.push(bytes),
        (error: Error) => error instanceof BadFrameError && why.test(error.message),
      );
      assert.throws(() => decoder.push(encodeFrame({ ok: true })), BadFrameError, "a later good frame is not read either");
    }
    // Refused from its header, before its body is buffered.
    assert.throws(
      () => new FrameDecoder(1024).push(binaryFrame([], 1025)),
      (error: Error) => error instanceof FrameTooLargeError && /1025 bytes exceeds the 1024-byte limit/.test(error.message),
    );
  });

  it("refuses to encode what a peer could not decode", () => {
    assert.throws(() => encodeChunkFrameHeader(-1, "stdout", 1), /call id must be an integer in 0..2\^32-1/);
    assert.throws(() => encodeChunkFrameHeader(2 ** 32, "stdout", 1), RangeError);
    assert.throws(() => encodeChunkFrameHeader(1, "stdout", 1024, 1024), FrameTooLargeError);
  });
});

/** Every write the server makes that is a binary chunk frame's header (the peer writes a chunk's 10-byte header apart from its data). */
function countBinaryHeaders(stream: Duplex): { count: number } {
  const seen = { count: 0 };
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(chunk) && chunk.length === 10 && chunk.readUInt32BE(0) >= binaryFrameFlag) seen.count++;
    return write(chunk, ...rest);
  }) as typeof stream.write;
  return seen;
}

/** What the test handlers' `run.logs` of a "big" run with `tail` chunks writes: 64 KiB of byte i, stdout and stderr in turn. */
function expectedBigLog(tail: number): { stdout: Buffer; stderr: Buffer } {
  const pieces = Array.from({ length: tail }, (_, i) => Buffer.alloc(64 * 1024, i % 256));
  return { stdout: Buffer.concat(pieces.filter((_, i) => i % 2 === 0)), stderr: Buffer.concat(pieces.filter((_, i) => i % 2 === 1)) };
}

describe("protocol version negotiation in agent.hello", () => {
  const pairs: [client: number, agent: number][] = [
    [protocolVersion, protocolVersion],
    [protocolVersion, minProtocolVersion],
    [minProtocolVersion, protocolVersion],
    [minProtocolVersion, minProtocolVersion],
  ];
  for (const [clientVersion, agentVersion] of pairs) {
    it(`a version-${clientVersion} client and a version-${agentVersion} agent agree on the older, and stream logs byte-identical`, async () => {
      const [clientEnd, agentEnd] = duplexPair();
      const binaryHeaders = countBinaryHeaders(agentEnd);
      const client = new RpcPeer(clientEnd, {}, { protocolVersion: clientVersion });
      const agent = serve(agentEnd, testHandlers(newProbe()), { protocolVersion: agentVersion });
      try {
        const agreed = Math.min(clientVersion, agentVersion);
        const hello = await negotiateHello(client, "negotiation-test");
        assert.equal(hello.protocolVersion, agreed);
        assert.equal(client.protocolVersion, agreed);
        assert.equal(agent.protocolVersion, agreed);
        const tail = 300; // every byte value, ~19 MiB
        const received = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
        for await (const chunk of client.openStream("run.logs", { runId: "big-negotiated", tail })) received[chunk.fd].push(chunk.data);
        const expected = expectedBigLog(tail);
        assert.ok(Buffer.concat(received.stdout).equals(expected.stdout), "stdout byte-identical");
        assert.ok(Buffer.concat(received.stderr).equals(expected.stderr), "stderr byte-identical");
        if (agreed >= 2) assert.equal(binaryHeaders.count, tail, "one binary frame per chunk, no $/chunk");
        else assert.equal(binaryHeaders.count, 0, "a version-1 peer is never sent a binary frame");
      } finally {
        client.close();
        agent.close();
      }
    });
  }

  it("an agent held to version 1 refuses a version-2 hello as a version-1 agent does, naming its own version", async () => {
    const [clientEnd, agentEnd] = duplexPair();
    const client = new RpcPeer(clientEnd);
    const agent = serve(agentEnd, testHandlers(newProbe()), { protocolVersion: 1 });
    try {
      await assert.rejects(client.request("agent.hello", { protocolVersion: 2, client: "t" }), (error: RpcError) => {
        assert.equal(error.code, rpcErrorCodes.incompatibleVersion);
        assert.match(error.message, /the control plane speaks version 2, this side speaks version 1\. Upgrade the agent/);
        assert.equal((error.data as { ours: number }).ours, 1);
        return true;
      });
      assert.equal(client.isClosed, false, "the connection stays open for a hello in the older version");
    } finally {
      client.close();
      agent.close();
    }
  });

  it("closes a connection that gets a binary frame before version 2 was agreed, saying why", async () => {
    const [raw, agentEnd] = duplexPair();
    const agent = serve(agentEnd, testHandlers(newProbe()));
    const decoder = new FrameDecoder();
    const replies: unknown[] = [];
    raw.on("data", (chunk: Buffer) => replies.push(...decoder.push(chunk).map((frame) => JSON.parse(frame as string))));
    raw.write(encodeChunkFrame(1, "stdout", Buffer.from("sneaky")));
    await agent.closed;
    await until(() => replies.length > 0);
    const reply = replies[0] as { id: null; error: { code: number; message: string } };
    assert.equal(reply.id, null);
    assert.equal(reply.error.code, rpcErrorCodes.invalidRequest);
    assert.match(reply.error.message, /binary chunk frame arrived, but this connection agreed on protocol version 1/);
    raw.destroy();
  });

  it("refuses to be held to a version this release does not speak", () => {
    assert.throws(() => new RpcPeer(new PassThrough(), {}, { protocolVersion: protocolVersion + 1 }), /not one this release speaks/);
  });
});
