/** One piece of a session's output, at its byte offset in the session's whole output. */
export interface OutputPiece {
  fd: "stdout" | "stderr";
  data: Buffer;
  /** The offset of data's first byte. */
  start: number;
}

/**
 * A session's recent output with a running byte offset: `end` counts every byte ever appended,
 * and at least the last `capacity` of them are kept (more while a reader still needs them: see
 * trim), so a caller that resumes with the bytes it has gets the rest.
 */
export class ReplayBuffer {
  private readonly pieces: OutputPiece[] = [];
  private keptBytes = 0;
  private total = 0;

  constructor(readonly capacity: number) {}

  /** The offset after the last byte: the session's output so far. */
  get end(): number {
    return this.total;
  }

  /** The offset of the oldest byte kept. */
  get oldest(): number {
    return this.total - this.keptBytes;
  }

  append(fd: OutputPiece["fd"], data: Buffer): void {
    if (!data.length) return;
    this.pieces.push({ fd, data, start: this.total });
    this.total += data.length;
    this.keptBytes += data.length;
  }

  /** Drops bytes older than the last `capacity`, but none at or after `keepFrom` (a reader's position). */
  trim(keepFrom: number = this.total): void {
    const dropBefore = Math.min(this.total - this.capacity, keepFrom);
    while (this.pieces.length && this.oldest < dropBefore) {
      const first = this.pieces[0] as OutputPiece;
      const firstEnd = first.start + first.data.length;
      if (firstEnd <= dropBefore) {
        this.pieces.shift();
        this.keptBytes -= first.data.length;
      } else {
        const cut = dropBefore - first.start;
        this.pieces[0] = { fd: first.fd, data: first.data.subarray(cut), start: dropBefore };
        this.keptBytes -= cut;
      }
    }
  }

  /** The kept bytes from `offset` on (from the oldest kept, when `offset` is older), at most `maxBytes` and of one stream; null when there are none yet. */
  readFrom(offset: number, maxBytes: number): OutputPiece | null {
    const from = Math.max(offset, this.oldest);
    if (from >= this.total) return null;
    // Pieces are few (the buffer is small, and trimmed); a linear search from the newest is cheap.
    for (let i = this.pieces.length - 1; i >= 0; i--) {
      const piece = this.pieces[i] as OutputPiece;
      if (piece.start <= from) {
        const data = piece.data.subarray(from - piece.start, from - piece.start + maxBytes);
        return { fd: piece.fd, data, start: from };
      }
    }
    return null;
  }
}
