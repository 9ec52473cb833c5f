/**
 * Messages travel as frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON. Frames arrive split or merged across chunks in any way; the decoder keeps the
 * pieces of an incomplete frame (copying once, when it is whole) and refuses a frame
 * above the limit from its header, before buffering any of its body.
 *
 * From protocol version 2 on (agreed in `agent.hello`), a stream chunk may instead travel as a
 * binary frame: the length's top bit set (`binaryFrameFlag`; lengths are far below 2 GiB), then
 * a kind byte (1: stream chunk), an fd byte (0 stdout, 1 stderr), the call's id as a 32-bit
 * big-endian integer, and the chunk's raw bytes — no base64, no JSON per chunk. A version-1
 * peer reads that header as a frame above its limit, which is why it is only sent once agreed.
 */
export const maxFrameBytes = 16 * 1024 * 1024;
export const frameHeaderBytes = 4;
export const binaryFrameFlag = 0x80000000;
export const binaryChunkKind = 1;
/** Kind, fd and call id, before the chunk's bytes. */
export const binaryChunkHeaderBytes = 6;

/** A stream chunk that came as a binary frame. */
export interface BinaryChunkFrame {
  id: number;
  fd: "stdout" | "stderr";
  data: Buffer;
}

/** A frame's payload: JSON text (not yet parsed), or a binary stream chunk. */
export type Frame = string | BinaryChunkFrame;

/** A frame that cannot be read (a binary frame too short, of an unknown kind or fd); the stream cannot be resynchronised. */
export class BadFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadFrameError";
  }
}

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

/**
 * The 10 bytes before a binary stream chunk's data (frame header, kind, fd, call id). Sent as
 * their own write followed by the data itself, so the chunk's bytes are never copied.
 */
export function encodeChunkFrameHeader(id: number, fd: "stdout" | "stderr", dataBytes: number, limit = maxFrameBytes): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`A binary chunk's call id must be an integer in 0..2^32-1, not ${id}.`);
  const size = binaryChunkHeaderBytes + dataBytes;
  if (size > limit) throw new FrameTooLargeError(size, limit);
  const header = Buffer.allocUnsafe(frameHeaderBytes + binaryChunkHeaderBytes);
  header.writeUInt32BE((binaryFrameFlag | size) >>> 0, 0);
  header.writeUInt8(binaryChunkKind, 4);
  header.writeUInt8(fd === "stderr" ? 1 : 0, 5);
  header.writeUInt32BE(id, 6);
  return header;
}

/** One whole binary chunk frame (header and data joined; the peer writes them apart instead). */
export function encodeChunkFrame(id: number, fd: "stdout" | "stderr", data: Uint8Array, limit = maxFrameBytes): Buffer {
  return Buffer.concat([encodeChunkFrameHeader(id, fd, data.length, limit), data]);
}

function parseBinaryFrame(body: Buffer): BinaryChunkFrame {
  if (body.length < binaryChunkHeaderBytes) throw new BadFrameError(`Binary frame of ${body.length} bytes is shorter than its ${binaryChunkHeaderBytes}-byte header (kind, fd, call id).`);
  const kind = body.readUInt8(0);
  if (kind !== binaryChunkKind) throw new BadFrameError(`Binary frame of unknown kind ${kind} (this side knows ${binaryChunkKind}: stream chunk); is the peer of a newer protocol version?`);
  const fd = body.readUInt8(1);
  if (fd > 1) throw new BadFrameError(`Binary chunk frame with fd ${fd}; only 0 (stdout) and 1 (stderr) exist.`);
  return { id: body.readUInt32BE(2), fd: fd === 1 ? "stderr" : "stdout", data: body.subarray(binaryChunkHeaderBytes) };
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: Error | null = null;

  constructor(private readonly limit = maxFrameBytes) {}

  /**
   * Feeds bytes; returns the payloads of every frame that is now whole: JSON frames as raw
   * strings (not yet parsed), binary frames parsed. After a FrameTooLargeError or a
   * BadFrameError the stream cannot be resynchronised, so every later push throws the same error.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.failed) throw this.failed;
    if (chunk.length) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.buffered >= frameHeaderBytes) {
      const header = this.peekHeader();
      const binary = header >= binaryFrameFlag;
      const size = binary ? header - binaryFrameFlag : header;
      if (size > this.limit) this.fail(new FrameTooLargeError(size, this.limit));
      if (this.buffered < frameHeaderBytes + size) break;
      const frame = this.take(frameHeaderBytes + size);
      if (!binary) {
        frames.push(frame.toString("utf8", frameHeaderBytes));
        continue;
      }
      try {
        frames.push(parseBinaryFrame(frame.subarray(frameHeaderBytes)));
      } catch (error) {
        this.fail(error as Error);
      }
    }
    return frames;
  }

  private fail(error: Error): never {
    this.failed = error;
    this.chunks = [];
    this.buffered = 0;
    throw error;
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
