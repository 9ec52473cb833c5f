/**
 * Messages travel as frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON. Frames arrive split or merged across chunks in any way; the decoder keeps the
 * pieces of an incomplete frame (copying once, when it is whole) and refuses a frame
 * above the limit from its header, before buffering any of its body.
 */
export const maxFrameBytes = 16 * 1024 * 1024;
export const frameHeaderBytes = 4;

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number = maxFrameBytes,
  ) {
    super(`Frame of ${size} bytes exceeds the ${limit}-byte limit.`);
    this.name = "FrameTooLargeError";
  }
}

/** One frame holding `message` as JSON; throws FrameTooLargeError above 16 MiB. */
export function encodeFrame(message: unknown): Buffer {
  return encodeFrameWithin(message, maxFrameBytes);
}

/** `encodeFrame` with another limit. */
export function encodeFrameWithin(message: unknown, limit: number): Buffer {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError("Cannot frame a value with no JSON form.");
  const size = Buffer.byteLength(json, "utf8");
  if (size > limit) throw new FrameTooLargeError(size, limit);
  const frame = Buffer.allocUnsafe(frameHeaderBytes + size);
  frame.writeUInt32BE(size, 0);
  frame.write(json, frameHeaderBytes, "utf8");
  return frame;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: FrameTooLargeError | null = null;

  constructor(private readonly limit = maxFrameBytes) {}

  /**
   * Feeds bytes; returns the payloads (raw strings, not yet parsed) of every frame that is
   * now whole. After a FrameTooLargeError the stream cannot be resynchronised, so every
   * later push throws the same error.
   */
  push(chunk: Uint8Array): string[] {
    if (this.failed) throw this.failed;
    if (chunk.length) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: string[] = [];
    while (this.buffered >= frameHeaderBytes) {
      const size = this.peekHeader();
      if (size > this.limit) {
        this.failed = new FrameTooLargeError(size, this.limit);
        this.chunks = [];
        this.buffered = 0;
        throw this.failed;
      }
      if (this.buffered < frameHeaderBytes + size) break;
      frames.push(this.take(frameHeaderBytes + size).toString("utf8", frameHeaderBytes));
    }
    return frames;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  private peekHeader(): number {
    const first = this.chunks[0];
    if (first && first.length >= frameHeaderBytes) return first.readUInt32BE(0);
    return this.take(frameHeaderBytes, false).readUInt32BE(0);
  }

  /** The first `count` bytes, joined; removed from the buffer unless `consume` is false. */
  private take(count: number, consume = true): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= count) {
      if (consume) this.drop(count);
      return first.subarray(0, count);
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    for (const piece of this.chunks) {
      const n = Math.min(piece.length, count - filled);
      piece.copy(out, filled, 0, n);
      filled += n;
      if (filled === count) break;
    }
    if (consume) this.drop(count);
    return out;
  }

  private drop(count: number): void {
    this.buffered -= count;
    let whole = 0;
    for (const piece of this.chunks) {
      if (piece.length > count) break;
      count -= piece.length;
      whole++;
    }
    if (whole) this.chunks.splice(0, whole); // once per frame, not once per chunk
    const first = this.chunks[0];
    if (first && count > 0) this.chunks[0] = first.subarray(count);
  }
}
