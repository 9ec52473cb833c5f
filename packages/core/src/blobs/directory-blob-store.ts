import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { BlobStore } from "./blob-store";
import { assertBlobKey, assertBlobPrefix, planPartReads, readRange, type StoredPart } from "./part-plan";

const partSuffix = ".part";
const partName = (offset: number) => `${String(offset).padStart(16, "0")}${partSuffix}`;

/**
 * Blobs as directories of part files under one root (default `<BAILEY_DATA_DIR>/blobs`):
 * `<root>/<key>/<offset, zero-padded>.part`. A part is written to a temporary file and renamed
 * into place, so a torn write never looks like a part, and writing one again replaces it whole.
 */
export class DirectoryBlobStore implements BlobStore {
  readonly kind = "directory" as const;

  constructor(readonly root: string) {}

  private dirOf(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async putPart(key: string, offset: number, data: Buffer): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`A part of blob ${key} must start at a byte offset (a whole number ≥ 0), not ${offset}.`);
    const dir = this.dirOf(key);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = path.join(dir, `.${partName(offset)}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, path.join(dir, partName(offset))).catch(async (error: unknown) => {
      await rm(temporary, { force: true });
      throw error;
    });
  }

  read(key: string, sizeBytes: number, range?: { start: number; end: number }): Readable {
    const store = this;
    return Readable.from(
      (async function* () {
        const { start, end } = readRange(key, sizeBytes, range);
        if (start === end) return;
        const dir = store.dirOf(key);
        const reads = planPartReads(key, await store.parts(dir), start, end);
        for (const read of reads) {
          // createReadStream's end is inclusive.
          yield* createReadStream(path.join(dir, partName(read.part.offset)), { start: read.start, end: read.end - 1 });
        }
      })(),
      { objectMode: false },
    );
  }

  private async parts(dir: string): Promise<StoredPart[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    const parts: StoredPart[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !/^\d{16}\.part$/.test(entry.name)) continue;
      parts.push({ offset: Number(entry.name.slice(0, 16)), sizeBytes: (await stat(path.join(dir, entry.name))).size });
    }
    return parts;
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    const whole = prefix.endsWith("/");
    const segments = (whole ? prefix.slice(0, -1) : prefix).split("/");
    const parent = path.join(this.root, ...(whole ? segments : segments.slice(0, -1)));
    const namePrefix = whole ? "" : (segments.at(-1) ?? "");
    const entries = await readdir(parent).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [] as string[];
      throw error;
    });
    let freed = 0;
    for (const name of entries) {
      if (!name.startsWith(namePrefix)) continue;
      freed += await sizeOf(path.join(parent, name));
      await rm(path.join(parent, name), { recursive: true, force: true });
    }
    if (whole) await rmdir(parent).catch(() => undefined);
    return freed;
  }
}

async function sizeOf(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(target)) total += await sizeOf(path.join(target, name));
  return total;
}
