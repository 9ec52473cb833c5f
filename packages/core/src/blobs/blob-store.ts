import type { Readable } from "node:stream";

/**
 * Where a run's logs and results live once shipped from its host (issue 16): a directory under
 * the data dir by default (BAILEY_BLOB_DIR), or any S3-compatible store (BAILEY_S3_*). A blob is
 * written as parts keyed by their byte offset, so a pull cut anywhere resumes at the offset the
 * database recorded, and writing the same part again (a retried pull) replaces it: nothing is
 * stored twice. Keys are `runs/<runId>/logs` and `runs/<runId>/results/<name>`.
 */
export interface BlobStore {
  /** "directory" or "s3", for the Team page and the logs. */
  readonly kind: "directory" | "s3";
  /** Writes `data` as the part of `key` that starts at `offset` (replacing a part written there before). */
  putPart(key: string, offset: number, data: Buffer): Promise<void>;
  /**
   * The blob's bytes [0, sizeBytes) as one stream, from the parts in offset order. Fails (the
   * stream errors) when a part is missing; callers pass the size the database recorded.
   * `range` is [start, end), end exclusive.
   */
  read(key: string, sizeBytes: number, range?: { start: number; end: number }): Readable;
  /** Removes every part of every blob whose key starts with `prefix`; the bytes freed. */
  deletePrefix(prefix: string): Promise<number>;
}

export const runLogKey = (runId: string) => `runs/${runId}/logs`;
export const runResultKey = (runId: string, name: string) => `runs/${runId}/results/${name}`;
export const runBlobPrefix = (runId: string) => `runs/${runId}/`;
