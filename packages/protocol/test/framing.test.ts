import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeFrame, FrameDecoder, FrameTooLargeError } from "../src/framing";

describe("framing", () => {
  const messages = Array.from({ length: 50 }, (_, i) => ({ i, text: "é✓".repeat(i), nested: { list: [i, i * 2] } }));
  const bytes = Buffer.concat(messages.map(encodeFrame));

  it("decodes across any chunk boundaries, including single bytes", () => {
    for (const size of [1, 2, 3, 7, 64, 1000, bytes.length]) {
      const decoder = new FrameDecoder();
      const out: unknown[] = [];
      for (let at = 0; at < bytes.length; at += size) out.push(...decoder.push(bytes.subarray(at, at + size)).map((frame) => JSON.parse(frame)));
      assert.deepEqual(out, messages, `chunk size ${size}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it("decodes random splits", () => {
    for (let round = 0; round < 20; round++) {
      const decoder = new FrameDecoder();
      const out: unknown[] = [];
      let at = 0;
      while (at < bytes.length) {
        const size = 1 + Math.floor(Math.random() * 300);
        out.push(...decoder.push(bytes.subarray(at, at + size)).map((frame) => JSON.parse(frame)));
        at += size;
      }
      assert.deepEqual(out, messages);
    }
  });

  it("refuses an oversized frame from its header, before buffering it", () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(10_000, 0);
    assert.throws(() => decoder.push(header), FrameTooLargeError);
  });
});
