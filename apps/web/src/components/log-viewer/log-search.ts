import type { LogBuffer } from "./log-buffer";

/** One occurrence of the query: line index in the buffer (as line() takes it), columns [start, end). */
export interface LogMatch {
  line: number;
  start: number;
  end: number;
}

/**
 * Every occurrence of a query in a LogBuffer, found incrementally: finished lines are scanned once
 * (in slices, so a million lines do not block the page), the line still being written again on
 * each refresh. Matches are kept as absolute line numbers in typed arrays, so lines dropped by the
 * buffer's maxLines fall off the front without a rescan. Case-insensitive unless the query has
 * upper-case letters (as in editors' smart case).
 */
export class LogSearch {
  readonly query: string;
  private readonly needle: string;
  private readonly foldCase: boolean;

  // Matches in finished lines: absolute line number and start column, from `first` to `size`.
  private lines = new Int32Array(256);
  private columns = new Int32Array(256);
  private first = 0;
  private size = 0;
  /** Absolute number of the next finished line to scan. */
  private scanned = 0;
  private epoch: number;
  /** Start columns of matches in the line being written (rescanned each refresh). */
  private openColumns: number[] = [];

  constructor(
    private readonly buffer: LogBuffer,
    query: string,
  ) {
    this.query = query;
    // Folding costs a lower-cased copy of every line: only when the query has letters to fold.
    this.foldCase = query === query.toLowerCase() && query !== query.toUpperCase();
    this.needle = this.foldCase ? query.toLowerCase() : query;
    this.epoch = buffer.epoch;
    this.scanned = buffer.lineOffset;
  }

  /**
   * Scans what the buffer added since the last call, until `deadline` (a performance.now() time)
   * if given. Answers true when everything is scanned, false when time ran out (call again).
   */
  refresh(deadline = Number.POSITIVE_INFINITY): boolean {
    const buffer = this.buffer;
    if (buffer.epoch !== this.epoch) {
      this.epoch = buffer.epoch;
      this.first = this.size = 0;
      this.scanned = buffer.lineOffset;
    }
    const offset = buffer.lineOffset;
    // Lines dropped from the front take their matches with them.
    while (this.first < this.size && (this.lines[this.first] ?? 0) < offset) this.first++;
    if (this.scanned < offset) this.scanned = offset;

    const end = offset + buffer.completeLines;
    let checks = 0;
    while (this.scanned < end) {
      this.scanLine(this.scanned, buffer.text(this.scanned - offset));
      this.scanned++;
      // performance.now() is cheap, but not per line.
      if (++checks === 2048) {
        checks = 0;
        if (now() >= deadline) return false;
      }
    }
    this.openColumns = [];
    if (buffer.lineCount > buffer.completeLines) this.find(buffer.text(buffer.completeLines), (column) => this.openColumns.push(column));
    return true;
  }

  get count(): number {
    return this.size - this.first + this.openColumns.length;
  }

  /** The k-th match (0 ≤ k < count), in line order. */
  match(k: number): LogMatch | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const length = this.query.length;
    const stored = this.size - this.first;
    if (k < stored) {
      const start = this.columns[this.first + k] ?? 0;
      return { line: (this.lines[this.first + k] ?? 0) - this.buffer.lineOffset, start, end: start + length };
    }
    const start = this.openColumns[k - stored] ?? 0;
    return { line: this.buffer.completeLines, start, end: start + length };
  }

  /** The index of the first match on or after line `line`, or count when there is none. */
  firstFrom(line: number): number {
    const target = line + this.buffer.lineOffset;
    let low = this.first;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.lines[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    if (low < this.size) return low - this.first;
    return line <= this.buffer.completeLines ? this.size - this.first : this.count;
  }

  /** The matches on one line, with their indices (to tell the current one). */
  matchesOn(line: number): { index: number; start: number; end: number }[] {
    const found: { index: number; start: number; end: number }[] = [];
    for (let k = this.firstFrom(line); k < this.count; k++) {
      const match = this.match(k);
      if (!match || match.line !== line) break;
      found.push({ index: k, start: match.start, end: match.end });
    }
    return found;
  }

  private scanLine(absolute: number, text: string): void {
    this.find(text, (column) => {
      if (this.size === this.lines.length) this.grow();
      this.lines[this.size] = absolute;
      this.columns[this.size] = column;
      this.size++;
    });
  }

  private find(text: string, found: (column: number) => void): void {
    if (this.needle === "" || text.length < this.needle.length) return;
    const haystack = this.foldCase ? text.toLowerCase() : text;
    let at = haystack.indexOf(this.needle);
    while (at !== -1) {
      found(at);
      at = haystack.indexOf(this.needle, at + this.needle.length);
    }
  }

  private grow(): void {
    // Drop what fell off the front first; double only if that is not enough.
    const live = this.size - this.first;
    const capacity = live * 2 > this.lines.length ? this.lines.length * 2 : this.lines.length;
    const lines = new Int32Array(capacity);
    const columns = new Int32Array(capacity);
    lines.set(this.lines.subarray(this.first, this.size));
    columns.set(this.columns.subarray(this.first, this.size));
    this.lines = lines;
    this.columns = columns;
    this.first = 0;
    this.size = live;
  }
}

const now = () => (typeof performance === "undefined" ? Date.now() : performance.now());
