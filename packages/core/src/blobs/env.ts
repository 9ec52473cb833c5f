import type { BlobStore } from "./blob-store";
import { createBlobStore } from "./create-blob-store";

/** The blob store this process's environment configures (see createBlobStore): the dashboard server and the scheduler loop both use it. */
export function blobStoreFromEnv(): BlobStore {
  return createBlobStore(process.env);
}
