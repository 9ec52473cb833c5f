import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import type { LogChunk } from "../../types";

/**
 * Docker multiplexes stdout and stderr of a non-TTY container into one stream of frames:
 * 8-byte header (stream type, 3 zero bytes, big-endian length) then the payload. Frames
 * arrive split across chunks in any way, so bytes are buffered until a frame is whole.
 */
export class DockerLogDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      const kind = this.pending[0];
      const data = this.pending.subarray(8, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      this.push({ stream: kind === 2 ? "stderr" : "stdout", data: Buffer.from(data) } satisfies LogChunk);
    }
    callback();
  }
}

/** A TTY container's output is raw: all of it is stdout. */
export function rawToChunks(source: Readable): Readable & AsyncIterable<LogChunk> {
  const out = new PassThrough({ objectMode: true });
  source.on("data", (data: Buffer) => out.write({ stream: "stdout", data } satisfies LogChunk));
  source.once("end", () => out.end());
  source.once("error", (error) => out.destroy(error));
  out.once("close", () => source.destroy());
  return out;
}

export function demultiplex(source: Readable): Readable & AsyncIterable<LogChunk> {
  const demuxer = new DockerLogDemuxer();
  source.once("error", (error) => demuxer.destroy(error));
  demuxer.once("close", () => source.destroy());
  return source.pipe(demuxer);
}

/** Collects a non-following log or exec stream into strings. */
export async function collect(stream: AsyncIterable<LogChunk>): Promise<{ stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for await (const chunk of stream) (chunk.stream === "stderr" ? err : out).push(chunk.data);
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}
