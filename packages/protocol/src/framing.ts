/**
 * Messages travel as frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON. Frames arrive split or merged across chunks in any way; the decoder buffers
 * until a frame is whole and refuses frames above the limit instead of buffering them.
 */
export const maxFrameBytes = 16 * 1024 * 1024;

export class FrameTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`Frame of ${size} bytes exceeds the ${maxFrameBytes}-byte limit.`);
    this.name = "FrameTooLargeError";
  }
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length > maxFrameBytes) throw new FrameTooLargeError(body.length);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly limit = maxFrameBytes) {}

  /** Feeds bytes; returns the complete frames' payloads (raw strings, not yet parsed). */
  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: string[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readUInt32BE(0);
      if (size > this.limit) throw new FrameTooLargeError(size);
      if (this.buffer.length < 4 + size) break;
      frames.push(this.buffer.subarray(4, 4 + size).toString("utf8"));
      this.buffer = this.buffer.subarray(4 + size);
    }
    return frames;
  }

  get bufferedBytes(): number {
    return this.buffer.length;
  }
}
