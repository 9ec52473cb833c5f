import { type Readable, Readable as ReadableStream } from "node:stream";
import type { LogChunk, LogPosition } from "../../types";
import { DockerLogDemuxer, type FrameTimestamps, frameTimestamps } from "./log-demux";

export interface FollowSource {
  /** The engine's log stream with timestamps=1 and follow=1: as first asked for, or from `resumeSince` (seconds.nanoseconds) on. */
  open(resumeSince: string | undefined): Promise<Readable>;
  running(): Promise<boolean>;
  /** Resume after this position (a chunk's `position` from an earlier follow). */
  after?: LogPosition;
}

/**
 * Follows a non-TTY container's log to its end. A capped log rotates, and Docker 20.10's
 * json-file follower ends its stream at a rotation while the container still writes
 * (moby/moby#37646 and its kin; measured here: the stream closed ~160 lines before the end).
 * So a stream that ends while the container was running is opened again from the last
 * frame's timestamp, dropping the frames already delivered; one opened after the container
 * stopped holds the rest, and ends the follow.
 */
export function followAcrossRotations(source: FollowSource): Readable & AsyncIterable<LogChunk> {
  const seen = frameTimestamps(source.after);
  let current: { raw: Readable; demuxer: DockerLogDemuxer } | null = null;
  let closed = false;
  async function* frames(): AsyncGenerator<LogChunk> {
    while (!closed) {
      const wasRunning = await source.running();
      const raw = await source.open(resumeSince(seen));
      const demuxer = new DockerLogDemuxer(seen);
      current = { raw, demuxer };
      if (closed) {
        raw.destroy();
        break;
      }
      raw.once("error", (error) => demuxer.destroy(error));
      const before = resumeSince(seen);
      try {
        yield* raw.pipe(demuxer);
      } finally {
        raw.destroy();
        demuxer.destroy();
      }
      if (!wasRunning || closed) return;
      // The engine ended the stream at once with nothing new: do not ask it again in a tight loop.
      if (resumeSince(seen) === before) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const iterator = frames();
  return new ReadableStream({
    objectMode: true,
    read() {
      iterator.next().then(
        (next) => this.push(next.done ? null : next.value),
        (error: Error) => this.destroy(error),
      );
    },
    // A reader that goes away while the engine is quiet: the generator waits in a read (and
    // Readable.from would wait with it), so the engine's stream is closed from here.
    destroy(error, callback) {
      closed = true;
      current?.raw.destroy();
      current?.demuxer.destroy();
      iterator.return(undefined).catch(() => undefined);
      callback(error);
    },
  }) as Readable & AsyncIterable<LogChunk>;
}

/**
 * Where to open the engine's log again: the older of the streams' newest frames (each stream's
 * later frames can sit behind the other's in the log). A stream with nothing delivered yet may
 * have a frame stamped just before the other's newest and written after it: a second of slack.
 */
function resumeSince(seen: FrameTimestamps): string | undefined {
  const { stdout, stderr } = seen;
  if (stdout.after === null && stderr.after === null) return undefined;
  const slack = 1_000_000_000n;
  if (stdout.after === null) return sinceParameter((stderr.after as bigint) - slack);
  if (stderr.after === null) return sinceParameter(stdout.after - slack);
  // biome-ignore lint/complexity/useMathMinMax: these are bigints, which Math.min does not take.
  return sinceParameter(stdout.after <= stderr.after ? stdout.after : stderr.after);
}

function sinceParameter(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`;
}
