import { type LogSpan, type LogStyle, SgrState, StyleTable } from "./log-style";

export type { LogColor, LogSpan, LogStyle } from "./log-style";

// Parser states: what the bytes so far have opened.
const ground = 0;
const afterEscape = 1; // after ESC
const escapeIntermediate = 2; // ESC ( B and the like: waiting for the final byte
const csi = 3; // ESC [ …
const osc = 4; // ESC ] … until BEL or ST
const controlString = 5; // DCS, SOS, PM, APC: until ST
const stringEscape = 6; // ESC inside an OSC or control string: ST if a backslash follows

/** Longer CSI parameter strings are nonsense or hostile: the sequence is still swallowed. */
const maxCsiParams = 128;

export interface LogBufferOptions {
  /** Keep at most this many lines, dropping the oldest (a terminal's scrollback). Default: all. */
  maxLines?: number;
}

/**
 * A log as a terminal would show it, built incrementally: append() takes the next bytes (UTF-8
 * decoded across chunk boundaries) or text, parses only those, and keeps the escape-sequence and
 * carriage-return state for the next call. SGR colours and attributes become style runs; every
 * other escape sequence is dropped; `\r` moves to the start of the line, so what follows
 * overwrites it (progress bars), `\b` moves back one, `ESC [ K` erases.
 *
 * Lines are stored as strings plus, for styled lines only, a flat [start, styleId, …] array, so a
 * million short lines cost tens of megabytes, not an object per character. Columns are UTF-16
 * code units (wide characters are not measured: a progress line that overwrites CJK text may
 * misalign, as it would in a terminal that does not know the width).
 */
export class LogBuffer {
  private readonly maxLines: number;
  private readonly decoder = new TextDecoder("utf-8");
  private readonly styleTable = new StyleTable();
  private readonly sgr = new SgrState();
  private styleId = 0;

  /** Finished lines (ended by \n) from `start` on; before it, lines dropped for maxLines. */
  private texts: string[] = [];
  private runs: (number[] | undefined)[] = [];
  private start = 0;
  private dropped = 0;

  /** The line being written: text, its style runs, and where the next character goes. */
  private open = "";
  private openRuns: number[] = [];
  private cursor = 0;

  private state = ground;
  private params = "";
  private csiIgnored = false;

  private listeners = new Set<() => void>();
  private changes = 0;
  private generation = 0;

  constructor(options: LogBufferOptions = {}) {
    this.maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  }

  /** Adds output: bytes (UTF-8, a character may be split across calls) or already decoded text. */
  append(chunk: Uint8Array | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text === "") return;
    this.parse(text);
    this.trim();
    this.changed();
  }

  /** The output has ended: an incomplete UTF-8 sequence left in the decoder shows as U+FFFD. */
  end(): void {
    const rest = this.decoder.decode();
    if (rest) this.append(rest);
  }

  /** Empties the buffer (a terminal's `clear`); the style in force and the decoder state stay. */
  clear(): void {
    this.texts = [];
    this.runs = [];
    this.start = 0;
    this.dropped = 0;
    this.open = "";
    this.openRuns = [];
    this.cursor = 0;
    this.generation++;
    this.changed();
  }

  /** Lines to show: the finished ones, plus the one being written if it has anything. */
  get lineCount(): number {
    return this.completeLines + (this.open.length > 0 ? 1 : 0);
  }

  /** Lines ended by a newline: they never change again (until dropped for maxLines). */
  get completeLines(): number {
    return this.texts.length - this.start;
  }

  /** How many lines maxLines has dropped from the front: line(0) is line lineOffset + 1 of the output. */
  get lineOffset(): number {
    return this.dropped;
  }

  /** Changes with every append or clear: React's useSyncExternalStore snapshot. */
  get version(): number {
    return this.changes;
  }

  /** Changes only with clear(): what was derived from the lines (a search) must start again. */
  get epoch(): number {
    return this.generation;
  }

  /** For useSyncExternalStore(buffer.subscribe, buffer.getVersion). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getVersion = (): number => this.changes;

  /** Line i's plain text (0 ≤ i < lineCount). */
  text(i: number): string {
    const complete = this.completeLines;
    if (i >= 0 && i < complete) return this.texts[this.start + i] ?? "";
    if (i === complete) return this.open;
    throw new RangeError(`line ${i} is outside the buffer's ${this.lineCount} lines`);
  }

  /** Line i as styled spans, in order; an empty line has none. */
  line(i: number): LogSpan[] {
    const complete = this.completeLines;
    if (i >= 0 && i < complete) return this.spans(this.texts[this.start + i] ?? "", this.runs[this.start + i]);
    if (i === complete) return this.spans(this.open, this.openRuns);
    throw new RangeError(`line ${i} is outside the buffer's ${this.lineCount} lines`);
  }

  /** Every line's text, joined by newlines (for a download). */
  plainText(): string {
    const lines = this.texts.slice(this.start);
    if (this.open) lines.push(this.open);
    return lines.length ? `${lines.join("\n")}\n` : "";
  }

  styleOf(id: number): LogStyle {
    return this.styleTable.get(id);
  }

  private spans(text: string, runs: readonly number[] | undefined): LogSpan[] {
    if (!text) return [];
    if (!runs || runs.length === 0) return [{ text, style: this.styleTable.get(0) }];
    const spans: LogSpan[] = [];
    // An implicit run of the default style starts every line.
    let from = 0;
    let id = 0;
    for (let k = 0; k <= runs.length; k += 2) {
      const to = k < runs.length ? (runs[k] ?? text.length) : text.length;
      if (to > from) spans.push({ text: text.slice(from, to), style: this.styleTable.get(id) });
      from = Math.max(from, to);
      id = runs[k + 1] ?? 0;
    }
    return spans;
  }

  private changed(): void {
    this.changes++;
    for (const listener of this.listeners) listener();
  }

  private trim(): void {
    const excess = this.completeLines + (this.open ? 1 : 0) - this.maxLines;
    if (excess <= 0) return;
    const drop = Math.min(excess, this.completeLines);
    this.start += drop;
    this.dropped += drop;
    // Compact now and then, not per line: splice is linear in what stays.
    if (this.start > 4096 && this.start * 2 > this.texts.length) {
      this.texts.splice(0, this.start);
      this.runs.splice(0, this.start);
      this.start = 0;
    }
  }

  private parse(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      if (this.state === ground) {
        // The common case: a run of printable characters (tab included) up to the next control.
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) break;
          j++;
        }
        if (j > i) this.write(i === 0 && j === n ? s : s.slice(i, j));
        if (j >= n) return;
        this.control(s.charCodeAt(j));
        i = j + 1;
        continue;
      }
      const c = s.charCodeAt(i++);
      switch (this.state) {
        case afterEscape:
          if (c === 0x5b) this.openCsi();
          else if (c === 0x5d) this.state = osc;
          else if (c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.state = controlString;
          else if (c >= 0x20 && c <= 0x2f) this.state = escapeIntermediate;
          else if (c < 0x20) this.control(c);
          else if (c <= 0x7e)
            this.state = ground; // ESC 7, ESC c, ESC M…: two-character sequences, dropped
          else {
            this.state = ground; // a stray ESC before text: the text stays
            i--;
          }
          break;
        case escapeIntermediate:
          if (c < 0x20) this.control(c);
          else if (c >= 0x30) this.state = ground;
          break;
        case csi:
          if (c >= 0x30 && c <= 0x3f) {
            if (this.params.length < maxCsiParams) this.params += s[i - 1];
            else this.csiIgnored = true;
          } else if (c >= 0x20 && c <= 0x2f) {
            this.csiIgnored = true; // intermediates: no sequence this viewer acts on has one
          } else if (c >= 0x40 && c <= 0x7e) {
            this.state = ground;
            if (!this.csiIgnored) this.dispatchCsi(c);
          } else if (c < 0x20) {
            this.control(c); // terminals act on C0 controls inside a sequence
          } else {
            this.state = ground; // not a sequence after all: dropped
          }
          break;
        case osc:
          if (c === 0x07 || c === 0x9c) this.state = ground;
          else if (c === 0x1b) this.state = stringEscape;
          break;
        case controlString:
          if (c === 0x9c) this.state = ground;
          else if (c === 0x1b) this.state = stringEscape;
          break;
        case stringEscape:
          if (c === 0x5c) {
            this.state = ground;
          } else {
            // An ESC that is not ST ends the string and starts a sequence of its own.
            this.state = afterEscape;
            i--;
          }
          break;
      }
    }
  }

  private control(c: number): void {
    if (c === 0x0a) this.newline();
    else if (c === 0x0d) this.cursor = 0;
    else if (c === 0x08) this.cursor = Math.max(0, this.cursor - 1);
    else if (c === 0x1b) this.state = afterEscape;
    else if (c === 0x9b) this.openCsi();
    else if (c === 0x9d) this.state = osc;
    else if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) this.state = controlString;
    // Every other control (BEL, NUL, shifts, DEL…) has nothing to show.
  }

  private openCsi(): void {
    this.state = csi;
    this.params = "";
    this.csiIgnored = false;
  }

  private dispatchCsi(final: number): void {
    const params = this.params;
    // A private marker (<, =, >, ?) opens a private sequence (?25l, ?2004h…): dropped.
    const privateMarker = params.length > 0 && params.charCodeAt(0) >= 0x3c;
    if (privateMarker) return;
    if (final === 0x6d) {
      this.sgr.apply(params);
      this.styleId = this.styleTable.intern(this.sgr.fg, this.sgr.bg, this.sgr.flags);
    } else if (final === 0x4b) {
      this.eraseInLine(params === "" ? 0 : Number(params));
    } else if (final === 0x47 || final === 0x60) {
      // Cursor to column n (1-based) on this line: progress bars redraw with it.
      this.cursor = Math.max(0, (Number(params.split(";")[0]) || 1) - 1);
    }
    // Cursor movement to other lines, screen clears, modes: dropped (a log is not a screen).
  }

  private newline(): void {
    this.texts.push(this.open);
    if (this.openRuns.length > 0) {
      this.runs.push(this.openRuns);
      this.openRuns = [];
    } else {
      this.runs.push(undefined);
    }
    this.open = "";
    this.cursor = 0;
  }

  /** Writes printable text at the cursor: appends (the common case) or overwrites after a \r. */
  private write(text: string): void {
    const id = this.styleId;
    if (this.cursor === this.open.length) {
      const at = this.open.length;
      this.open = at === 0 ? text : this.open + text;
      if (id !== this.lastStyle()) this.openRuns.push(at, id);
      this.cursor = this.open.length;
      return;
    }
    // The cursor is before the end (after \r, \b or CSI G), or past it: overwrite, padding with spaces.
    let line = this.open;
    if (this.cursor > line.length) line += " ".repeat(this.cursor - line.length);
    const end = this.cursor + text.length;
    const ids = this.expandRuns(Math.max(line.length, end));
    ids.fill(id, this.cursor, end);
    this.open = line.slice(0, this.cursor) + text + line.slice(end);
    this.openRuns = compressRuns(ids);
    this.cursor = end;
  }

  private eraseInLine(mode: number): void {
    const length = this.open.length;
    if (mode === 0) {
      if (this.cursor >= length) return;
      const ids = this.expandRuns(this.cursor);
      this.open = this.open.slice(0, this.cursor);
      this.openRuns = compressRuns(ids);
    } else if (mode === 1 || mode === 2) {
      // Erased cells are blanks in the default style; the cursor stays where it is.
      const upTo = mode === 2 ? length : Math.min(this.cursor + 1, length);
      const ids = this.expandRuns(length);
      ids.fill(0, 0, upTo);
      this.open = " ".repeat(upTo) + this.open.slice(upTo);
      this.openRuns = compressRuns(ids);
      if (this.open.trim() === "") {
        this.open = "";
        this.openRuns = [];
      }
    }
  }

  /** The style of the open line's last character (what an append continues). */
  private lastStyle(): number {
    return this.openRuns.length > 0 ? (this.openRuns[this.openRuns.length - 1] ?? 0) : 0;
  }

  /** The open line's style per column, for the rare overwrite. */
  private expandRuns(length: number): Int32Array {
    const ids = new Int32Array(length);
    for (let k = 0; k < this.openRuns.length; k += 2) {
      const from = this.openRuns[k] ?? 0;
      if (from >= length) break;
      ids.fill(this.openRuns[k + 1] ?? 0, from, length);
    }
    return ids;
  }
}

function compressRuns(ids: Int32Array): number[] {
  const runs: number[] = [];
  let previous = 0;
  for (let column = 0; column < ids.length; column++) {
    const id = ids[column] ?? 0;
    if (id !== previous) {
      runs.push(column, id);
      previous = id;
    }
  }
  return runs;
}
