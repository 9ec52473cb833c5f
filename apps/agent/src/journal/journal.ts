import type { AgentEvent } from "@bailey/protocol";
import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "./atomic-write";

export type JournalEvent = AgentEvent;

export type NewJournalEvent = Omit<JournalEvent, "seq" | "at">;

interface JournalMeta {
  ackedSeq: number;
}

/** Rewrite the file once this many acknowledged events sit at its head. */
const compactAfterAcked = 1_000;

/**
 * The agent's durable record of everything it did, with a monotonic sequence number.
 * `append` resolves only after the event is on disk (fdatasync), so an acknowledged
 * step is never forgotten by a crash; the control plane pulls events after a sequence
 * number and acknowledges them, which lets the journal drop what it no longer needs.
 */
export class Journal {
  private events: JournalEvent[] = [];
  private lastSeq = 0;
  private ackedSeq = 0;
  private ackedInFile = 0;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
  ) {}

  static async open(dir: string): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const meta = await readMeta(dir);
    const { events, validBytes, totalBytes } = await readEvents(journalFile(dir));
    if (validBytes < totalBytes) {
      // A crash mid-append leaves a torn last line: it was never acknowledged, so drop it.
      const truncate = await open(journalFile(dir), "r+");
      await truncate.truncate(validBytes);
      await truncate.close();
    }
    const journal = new Journal(dir, await open(journalFile(dir), "a", 0o600));
    journal.ackedSeq = meta.ackedSeq;
    journal.events = events.filter((event) => event.seq > meta.ackedSeq);
    journal.ackedInFile = events.length - journal.events.length;
    journal.lastSeq = Math.max(meta.ackedSeq, events.at(-1)?.seq ?? 0);
    return journal;
  }

  get lastSequence(): number {
    return this.lastSeq;
  }

  get acknowledgedSequence(): number {
    return this.ackedSeq;
  }

  append(event: NewJournalEvent): Promise<JournalEvent> {
    return this.serialize(async () => {
      const entry: JournalEvent = { seq: this.lastSeq + 1, at: new Date().toISOString(), ...event };
      await this.handle.write(`${JSON.stringify(entry)}\n`);
      await this.handle.datasync();
      this.lastSeq = entry.seq;
      this.events.push(entry);
      return entry;
    });
  }

  /** Events after `afterSeq`, oldest first; those already acknowledged are gone. */
  pull(afterSeq: number, limit: number): { events: JournalEvent[]; lastSeq: number } {
    const start = this.events.findIndex((event) => event.seq > afterSeq);
    const events = start === -1 ? [] : this.events.slice(start, start + limit);
    return { events, lastSeq: this.lastSeq };
  }

  ack(seq: number): Promise<number> {
    return this.serialize(async () => {
      const upTo = Math.min(seq, this.lastSeq);
      if (upTo <= this.ackedSeq) return this.ackedSeq;
      const dropped = this.events.findIndex((event) => event.seq > upTo);
      const count = dropped === -1 ? this.events.length : dropped;
      this.events = this.events.slice(count);
      this.ackedInFile += count;
      this.ackedSeq = upTo;
      await writeFileAtomic(metaFile(this.dir), JSON.stringify({ ackedSeq: upTo } satisfies JournalMeta));
      if (this.ackedInFile >= compactAfterAcked) await this.compact();
      return upTo;
    });
  }

  async close(): Promise<void> {
    await this.serialize(() => this.handle.close());
  }

  private async compact(): Promise<void> {
    await this.handle.close();
    await writeFileAtomic(journalFile(this.dir), this.events.map((event) => `${JSON.stringify(event)}\n`).join(""));
    this.handle = await open(journalFile(this.dir), "a", 0o600);
    this.ackedInFile = 0;
  }

  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const journalFile = (dir: string) => path.join(dir, "journal.jsonl");
const metaFile = (dir: string) => path.join(dir, "journal.meta.json");

async function readMeta(dir: string): Promise<JournalMeta> {
  const text = await readFile(metaFile(dir), "utf8").catch(() => "");
  if (!text) return { ackedSeq: 0 };
  const meta = JSON.parse(text) as JournalMeta;
  return { ackedSeq: Number(meta.ackedSeq) || 0 };
}

async function readEvents(file: string): Promise<{ events: JournalEvent[]; validBytes: number; totalBytes: number }> {
  const buffer = await readFile(file).catch(() => Buffer.alloc(0));
  const events: JournalEvent[] = [];
  let validBytes = 0;
  let lineStart = 0;
  for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, lineStart)) {
    const line = buffer.subarray(lineStart, index).toString("utf8");
    try {
      events.push(JSON.parse(line) as JournalEvent);
    } catch {
      break;
    }
    lineStart = index + 1;
    validBytes = lineStart;
  }
  return { events, validBytes, totalBytes: buffer.length };
}
