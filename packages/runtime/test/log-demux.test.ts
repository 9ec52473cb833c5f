import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { it } from "node:test";
import { demultiplex } from "../src/drivers/docker/log-demux";
import type { LogChunk } from "../src/types";

const frame = (kind: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

async function chunksOf(source: PassThrough): Promise<LogChunk[]> {
  const chunks: LogChunk[] = [];
  for await (const chunk of demultiplex(source)) chunks.push(chunk as LogChunk);
  return chunks;
}

it("frames that arrive together leave as one chunk per run of a stream, in order", async () => {
  const source = new PassThrough();
  const collected = chunksOf(source);
  // As the engine's HTTP response delivers them: one frame per write, all in one I/O turn.
  for (let i = 0; i < 1000; i++) source.write(frame(1, `line ${i}\n`));
  source.write(frame(2, "oops\n"));
  source.write(frame(1, "after\n"));
  source.end();
  const chunks = await collected;
  assert.deepEqual(
    chunks.map((chunk) => chunk.stream),
    ["stdout", "stderr", "stdout"],
  );
  assert.equal(chunks[0]!.data.toString(), Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));
  assert.equal(chunks[1]!.data.toString(), "oops\n");
  assert.equal(chunks[2]!.data.toString(), "after\n");
});

it("a frame split across writes is whole, and a quiet stream's last line is not held back", async () => {
  const source = new PassThrough();
  const stream = demultiplex(source);
  const bytes = frame(1, "hello world\n");
  source.write(bytes.subarray(0, 5));
  source.write(bytes.subarray(5));
  const [first] = (await Promise.race([
    new Promise((resolve) => stream.once("data", (chunk: LogChunk) => resolve([chunk]))),
    new Promise((_, reject) => setTimeout(() => reject(new Error("the line was held back although nothing more came")), 1000)),
  ])) as LogChunk[];
  assert.equal(first!.data.toString(), "hello world\n");
  source.end();
});
