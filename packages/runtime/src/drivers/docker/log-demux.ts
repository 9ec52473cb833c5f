import { PassThrough, type Readable, Transform, type TransformCallback } from "node:stream";
import type { LogChunk, LogPosition } from "../../types";

/**
 * Docker multiplexes stdout and stderr of a non-TTY container into one stream of frames:
 * 8-byte header (stream type, 3 zero bytes, big-endian length) then the payload. Frames
 * arrive split across chunks in any way, so bytes are buffered until a frame is whole.
 */
export class DockerLogDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private run: { stream: LogChunk["stream"]; parts: Buffer[]; bytes: number; position?: LogPosition } | null = null;
  private flushScheduled = false;
  /** Where a resumed stream picks up, per stream: its frames before this time, and the first `skip` at it, were delivered already. */
  private readonly resumeFrom: Record<LogChunk["stream"], { at: bigint | null; skip: number }>;

  /**
   * With `timestamps`, every frame starts with the engine's timestamp (asked for with timestamps=1): stripped, and
   * on a stream resumed from `after`, the frames already delivered dropped. Docker stamps stdout and stderr apart
   * (each in order, not with each other), so each is tracked on its own. Frames can share a stamp: Podman 4.3's
   * are whole seconds, and Docker gives the pieces of a line past 16 KiB the line's; those are counted.
   */
  constructor(private readonly timestamps?: FrameTimestamps) {
    super({ readableObjectMode: true });
    this.resumeFrom = {
      stdout: { at: timestamps?.stdout.after ?? null, skip: timestamps?.stdout.atAfter ?? 0 },
      stderr: { at: timestamps?.stderr.after ?? null, skip: timestamps?.stderr.atAfter ?? 0 },
    };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      const stream: LogChunk["stream"] = this.pending[0] === 2 ? "stderr" : "stdout";
      const data = this.pending.subarray(8, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      const payload = this.timestamps ? this.stripTimestamp(stream, this.timestamps[stream], data) : data;
      if (payload) this.append(stream, payload);
    }
    callback();
  }

  private stripTimestamp(stream: LogChunk["stream"], seen: StreamTimestamps, data: Buffer): Buffer | null {
    const space = data.indexOf(0x20);
    const text = space > 0 ? data.subarray(0, space).toString("latin1") : "";
    const at = text ? logTimestampNanos(text) : null;
    if (at === null) return data;
    const newest = seen.after;
    // Older than what this stream delivered: a repeat (Docker's json-file follower re-reads around a rotation).
    if (newest !== null && at < newest) return null;
    const payload = data.subarray(space + 1);
    const endsLine = payload.at(-1) === 0x0a;
    if (newest !== null && at === newest) {
      const resume = this.resumeFrom[stream];
      // A resumed stream sends the frames at its resume time again: the ones delivered are dropped by count.
      if (at === resume.at && resume.skip > 0) {
        resume.skip--;
        seen.partialLine = !endsLine;
        return null;
      }
      // Docker's nanosecond stamps: the same one again is the same frame again, unless the frame before
      // ended mid-line. Podman 4.3's whole seconds are shared by distinct lines.
      if (!wholeSeconds(text) && !seen.partialLine) return null;
      seen.atAfter += 1;
    } else {
      seen.after = at;
      seen.atAfter = 1;
    }
    seen.partialLine = !endsLine;
    return payload;
  }

  override _flush(callback: TransformCallback): void {
    this.emitRun();
    callback();
  }

  /**
   * Frames of one stream that arrive together leave as one chunk. The engine sends a frame
   * per line and Node's HTTP parser hands each over on its own; a chunk per line cost every
   * later hop (the agent's protocol, SSH, the API) its per-message overhead 185,000 times for
   * 20 MiB of output. Held only until the current I/O callback has run, so nothing waits.
   */
  private append(stream: LogChunk["stream"], data: Buffer): void {
    if (this.run && this.run.stream !== stream) this.emitRun();
    this.run ??= { stream, parts: [], bytes: 0 };
    this.run.parts.push(data);
    this.run.bytes += data.length;
    // Taken per frame, not at emit: by then `timestamps` may already count the next run's first frame.
    if (this.timestamps) this.run.position = logPosition(this.timestamps);
    if (this.run.bytes >= maxCoalescedBytes) this.emitRun();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.emitRun();
      });
    }
  }

  private emitRun(): void {
    if (!this.run || this.destroyed) return;
    const { stream, parts, bytes, position } = this.run;
    this.push({ stream, data: Buffer.concat(parts, bytes), ...(position ? { position } : {}) } satisfies LogChunk);
    this.run = null;
  }
}

const maxCoalescedBytes = 256 * 1024;

/** Per stream: the newest frame time delivered, in nanoseconds since the epoch (null before the first), how many delivered frames carry exactly it, and whether the last ended mid-line. */
export interface StreamTimestamps {
  after: bigint | null;
  atAfter: number;
  partialLine: boolean;
}

export type FrameTimestamps = Record<LogChunk["stream"], StreamTimestamps>;

export function frameTimestamps(position?: LogPosition): FrameTimestamps {
  const of = (stream: LogPosition["stdout"] | undefined): StreamTimestamps =>
    stream ? { after: BigInt(stream.nanos), atAfter: stream.frames, partialLine: stream.partialLine } : { after: null, atAfter: 0, partialLine: false };
  return { stdout: of(position?.stdout), stderr: of(position?.stderr) };
}

function logPosition(timestamps: FrameTimestamps): LogPosition {
  const of = (stream: StreamTimestamps) => (stream.after === null ? null : { nanos: stream.after.toString(), frames: stream.atAfter, partialLine: stream.partialLine });
  return { stdout: of(timestamps.stdout), stderr: of(timestamps.stderr) };
}

const wholeSeconds = (timestamp: string) => !timestamp.includes(".");

/** Nanoseconds since the epoch of an engine log timestamp (RFC 3339 with up to 9 fraction digits); null when it is not one. */
export function logTimestampNanos(text: string): bigint | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match?.[1] || !match[3]) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return BigInt(seconds) * 1_000_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
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
