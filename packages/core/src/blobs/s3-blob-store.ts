import { Readable } from "node:stream";
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { BlobStore } from "./blob-store";
import { assertBlobKey, assertBlobPrefix, planPartReads, readRange, type StoredPart } from "./part-plan";

export interface S3BlobStoreOptions {
  /** The store's URL (https://s3.example.com, http://127.0.0.1:9000); absent: AWS S3 of `region`. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `<endpoint>/<bucket>/<key>` rather than `<bucket>.<endpoint>/<key>` (MinIO, most self-hosted stores). */
  forcePathStyle: boolean;
}

const partKey = (key: string, offset: number) => `${key}/${String(offset).padStart(16, "0")}`;

/**
 * Blobs in any S3-compatible store: part `offset` of `key` is the object `<key>/<offset,
 * zero-padded>`. A PUT replaces an object whole or not at all, so a torn upload never looks
 * like a part, and writing one again replaces it.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where S3 requires them: many S3-compatible stores refuse the newer trailing ones.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async putPart(key: string, offset: number, data: Buffer): Promise<void> {
    assertBlobKey(key);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`A part of blob ${key} must start at a byte offset (a whole number ≥ 0), not ${offset}.`);
    await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: partKey(key, offset), Body: data, ContentLength: data.length }));
  }

  read(key: string, sizeBytes: number, range?: { start: number; end: number }): Readable {
    const store = this;
    return Readable.from(
      (async function* () {
        assertBlobKey(key);
        const { start, end } = readRange(key, sizeBytes, range);
        if (start === end) return;
        for (const read of planPartReads(key, await store.parts(key), start, end)) {
          const object = await store.client.send(new GetObjectCommand({ Bucket: store.options.bucket, Key: partKey(key, read.part.offset), Range: `bytes=${read.start}-${read.end - 1}` }));
          yield* exactly(object.Body as Readable, object.ContentRange ? 0 : read.start, read.end - read.start);
        }
      })(),
      { objectMode: false },
    );
  }

  /** The key's parts: the objects directly under `<key>/` named by an offset (not those of longer keys below it). */
  private async parts(key: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    for await (const object of this.list(`${key}/`, "/")) {
      const name = object.key.slice(key.length + 1);
      if (/^\d{16}$/.test(name)) parts.push({ offset: Number(name), sizeBytes: object.sizeBytes });
    }
    return parts;
  }

  private async *list(prefix: string, delimiter?: string): AsyncGenerator<{ key: string; sizeBytes: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, sizeBytes: object.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    let freed = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = answer.Errors ?? [];
      if (failed.length) throw new Error(`The S3 store did not delete ${failed.length} objects under ${prefix} (first: ${failed[0]?.Key}: ${failed[0]?.Message}); try again.`);
      batch = [];
    };
    // Listed in full before deleting: deleting while paging would shift the pages under the listing.
    const keys: string[] = [];
    for await (const object of this.list(prefix)) {
      keys.push(object.key);
      freed += object.sizeBytes;
    }
    for (const key of keys) {
      batch.push(key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    return freed;
  }
}

/** `length` bytes of an object's body after `skip`: some stores answer a range with the whole object (s3rver does for "bytes=0-0"). */
async function* exactly(body: Readable, skip: number, length: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let left = length;
  try {
    for await (const chunk of body) {
      let data = chunk as Buffer;
      if (toSkip > 0) {
        const skipped = Math.min(toSkip, data.length);
        toSkip -= skipped;
        data = data.subarray(skipped);
      }
      if (data.length > left) data = data.subarray(0, left);
      left -= data.length;
      if (data.length) yield data;
      if (left === 0) return;
    }
  } finally {
    body.destroy();
  }
  if (left > 0) throw new Error(`A part of a blob ended ${left} bytes short of what its listing said; the store may have lost it.`);
}
