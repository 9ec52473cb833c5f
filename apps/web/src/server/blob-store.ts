import { type BlobStore, blobStoreFromEnv } from "@bailey/core";

const globalForBlobs = globalThis as unknown as { baileyBlobStore?: BlobStore };

/** One blob store per server process (and across dev hot reloads): where runs' logs and results are kept (BAILEY_BLOB_DIR or BAILEY_S3_*). */
export function blobStore(): BlobStore {
  globalForBlobs.baileyBlobStore ??= blobStoreFromEnv();
  return globalForBlobs.baileyBlobStore;
}
