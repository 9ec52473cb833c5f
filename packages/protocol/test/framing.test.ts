import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeFrame, encodeFrameWithin, FrameDecoder, FrameTooLargeError, maxFrameBytes } from "../src/framing";

function decodeAll(decoder: FrameDecoder, bytes: Buffer, nextSize: () => number): unknown[] {
  const out: unknown[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = nextSize();
    out.push(...decoder.push(bytes.subarray(at, at + size)).map((frame) => JSON.parse(frame as string)));
    at += size;
  }
  return out;
}

describe("framing", () => {
  const messages = Array.from({ length: 50 }, (_, i) => ({ i, text: "é✓😀".repeat(i), nested: { list: [i, i * 2] } }));
  const bytes = Buffer.concat(messages.map((message) => encodeFrame(message)));

  it("writes a 4-byte big-endian length, then UTF-8 JSON", () => {
    const frame = encodeFrame({ a: "é" });
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    assert.equal(frame.subarray(4).toString("utf8"), '{"a":"é"}');
  });

  it("decodes across fixed chunk sizes, including single bytes (multi-byte characters split too)", () => {
    for (const size of [1, 2, 3, 4, 5, 7, 64, 1000, bytes.length]) {
      const decoder = new FrameDecoder();
      assert.deepEqual(
        decodeAll(decoder, bytes, () => size),
        messages,
        `chunk size ${size}`,
      );
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it("decodes random splits", () => {
    for (let round = 0; round < 200; round++) {
      const decoder = new FrameDecoder();
      const max = [2, 10, 300, 5000][round % 4] ?? 2;
      assert.deepEqual(
        decodeAll(decoder, bytes, () => 1 + Math.floor(Math.random() * max)),
        messages,
      );
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it("decodes a 2 MiB frame fed one byte at a time in linear time", () => {
    const big = { blob: "x".repeat(2 * 1024 * 1024) };
    const frame = encodeFrame(big);
    const decoder = new FrameDecoder();
    const started = Date.now();
    const out = decodeAll(decoder, frame, () => 1);
    assert.deepEqual(out, [big]);
    assert.ok(Date.now() - started < 10_000, "took too long");
  });

  it("holds back a partial frame and keeps it until the rest arrives", () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame({ hello: "world" });
    assert.deepEqual(decoder.push(frame.subarray(0, 6)), []);
    assert.equal(decoder.bufferedBytes, 6);
    assert.deepEqual(decoder.push(Buffer.concat([frame.subarray(6), frame])), ['{"hello":"world"}', '{"hello":"world"}']);
  });

  it("refuses an oversized frame from its header, before buffering its body, and stays failed", () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(10_000, 0);
    assert.throws(
      () => decoder.push(header.subarray(0, 2)) && decoder.push(header.subarray(2)),
      (error: FrameTooLargeError) => error instanceof FrameTooLargeError && error.size === 10_000 && error.limit === 1024,
    );
    assert.equal(decoder.bufferedBytes, 0);
    assert.throws(() => decoder.push(encodeFrame({ ok: true })), FrameTooLargeError);
  });

  it("refuses the default 16 MiB + 1 from the header alone", () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(maxFrameBytes + 1, 0);
    assert.throws(() => new FrameDecoder().push(header), FrameTooLargeError);
    assert.deepEqual(new FrameDecoder().push(Buffer.from([0, 0, 0, 2, 0x7b, 0x7d])), ["{}"]);
  });

  it("refuses to encode an oversized message", () => {
    assert.throws(() => encodeFrameWithin({ blob: "x".repeat(100) }, 50), FrameTooLargeError);
    assert.throws(() => encodeFrame(undefined), TypeError);
  });
});
