/** A stored part of a blob: the bytes [offset, offset + sizeBytes). */
export interface StoredPart {
  offset: number;
  sizeBytes: number;
}

/** One read of one part: its bytes [start, end) (relative to the part). */
export interface PartRead {
  part: StoredPart;
  start: number;
  end: number;
}

/**
 * Which parts to read, in order, for the blob's bytes [start, end). Parts may overlap (a pull
 * retried from an earlier offset, with more bytes than the first try had): at each byte the
 * part that starts last wins, and overlapping parts hold the same bytes by construction. A byte
 * no part holds is an error naming it, so a reader never gets a blob with a hole.
 */
export function planPartReads(key: string, parts: StoredPart[], start: number, end: number): PartRead[] {
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  const reads: PartRead[] = [];
  let at = start;
  while (at < end) {
    let covering: StoredPart | undefined;
    for (const part of sorted) {
      if (part.offset > at) break;
      if (part.offset + part.sizeBytes > at) covering = part;
    }
    if (!covering) throw new Error(`Blob ${key} has no stored part holding byte ${at} (of ${end}); it is incomplete or was removed.`);
    const stop = Math.min(end, covering.offset + covering.sizeBytes);
    reads.push({ part: covering, start: at - covering.offset, end: stop - covering.offset });
    at = stop;
  }
  return reads;
}

/** The range a read asks for, checked against the blob's size: [start, end), end exclusive. */
export function readRange(key: string, sizeBytes: number, range?: { start: number; end: number }): { start: number; end: number } {
  const start = range?.start ?? 0;
  const end = range?.end ?? sizeBytes;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > sizeBytes) {
    throw new Error(`A read of blob ${key} asked for bytes [${start}, ${end}), outside its ${sizeBytes} bytes.`);
  }
  return { start, end };
}

/** Keys are relative paths of plain segments (`runs/<runId>/logs`): never absolute, never `..`, never empty segments. */
export function assertBlobKey(key: string, what = "blob key"): void {
  const segments = key.split("/");
  if (!key || key.startsWith("/") || key.includes("\\") || key.includes("\0") || segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw new Error(`The ${what} "${key}" is not a relative path of plain segments (no leading '/', no '.', '..' or empty segments).`);
  }
}

/** A prefix is a key, or a key followed by '/'. */
export function assertBlobPrefix(prefix: string): void {
  assertBlobKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix, "blob prefix");
}
