/**
 * The engine's BuildKit reports progress as `moby.buildkit.trace` messages: base64 of a
 * protobuf StatusResponse (github.com/moby/buildkit api/services/control). Only the fields the
 * build log needs are read: each step's name when it starts, its output, and its error.
 */

interface ProtoField {
  field: number;
  bytes?: Buffer;
  varint?: number;
}

/** Top-level fields of one protobuf message; unknown wire types end the read (a malformed trace loses log lines, never the build). */
function readFields(buffer: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= buffer.length) throw new Error("truncated varint");
      const byte = buffer[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
      shift += 7;
    }
  };
  try {
    while (at < buffer.length) {
      const key = varint();
      const field = Math.floor(key / 8);
      const wireType = key & 7;
      if (wireType === 0) fields.push({ field, varint: varint() });
      else if (wireType === 2) {
        const length = varint();
        fields.push({ field, bytes: buffer.subarray(at, at + length) });
        at += length;
      } else if (wireType === 1) at += 8;
      else if (wireType === 5) at += 4;
      else break;
    }
  } catch {
    // Keep what was read.
  }
  return fields;
}

export interface TraceState {
  /** Vertex digests already announced, so each step's name is logged once. */
  started: Set<string>;
  failed: Set<string>;
}

export function newTraceState(): TraceState {
  return { started: new Set(), failed: new Set() };
}

/** The log lines one trace message adds: `#step name` when a step starts, its output, its error. */
export function traceLines(base64: string, state: TraceState): string[] {
  const lines: string[] = [];
  for (const entry of readFields(Buffer.from(base64, "base64"))) {
    if (!entry.bytes) continue;
    if (entry.field === 1) {
      const vertex = readFields(entry.bytes);
      const text = (field: number) => vertex.find((item) => item.field === field)?.bytes?.toString("utf8");
      const digest = text(1) ?? "";
      const name = text(3) ?? "";
      const cached = vertex.some((item) => item.field === 4 && item.varint);
      const started = vertex.some((item) => item.field === 5);
      const error = text(7);
      if ((started || cached) && !state.started.has(digest)) {
        state.started.add(digest);
        lines.push(`${name}${cached ? " (cached)" : ""}`);
      }
      if (error && !state.failed.has(digest)) {
        state.failed.add(digest);
        lines.push(`ERROR ${name}: ${error}`);
      }
    } else if (entry.field === 3) {
      const log = readFields(entry.bytes);
      const message = log.find((item) => item.field === 4)?.bytes?.toString("utf8") ?? "";
      for (const line of message.split("\n")) if (line.trim()) lines.push(line.replace(/\r$/, ""));
    }
  }
  return lines;
}
