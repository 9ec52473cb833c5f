import path from "node:path";
import type { BlobStore } from "./blob-store";
import { DirectoryBlobStore } from "./directory-blob-store";
import { S3BlobStore } from "./s3-blob-store";

/**
 * The blob store this deployment configured: an S3-compatible store when BAILEY_S3_BUCKET is
 * set (with BAILEY_S3_ENDPOINT, BAILEY_S3_REGION, BAILEY_S3_ACCESS_KEY_ID,
 * BAILEY_S3_SECRET_ACCESS_KEY, BAILEY_S3_FORCE_PATH_STYLE), else a directory: BAILEY_BLOB_DIR, or
 * `blobs` in the data directory (resolved as the launcher resolves BAILEY_DATA_DIR).
 */
export function createBlobStore(env: Record<string, string | undefined>): BlobStore {
  const set = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined);
  const s3Names = ["BAILEY_S3_ENDPOINT", "BAILEY_S3_BUCKET", "BAILEY_S3_REGION", "BAILEY_S3_ACCESS_KEY_ID", "BAILEY_S3_SECRET_ACCESS_KEY", "BAILEY_S3_FORCE_PATH_STYLE"];
  const bucket = set("BAILEY_S3_BUCKET");
  if (!bucket) {
    const stray = s3Names.filter((name) => set(name));
    if (stray.length)
      throw new Error(
        `${stray.join(", ")} ${stray.length > 1 ? "are" : "is"} set but BAILEY_S3_BUCKET is not: set BAILEY_S3_BUCKET to store logs and results in S3, or unset the others to keep them in a directory.`,
      );
    return new DirectoryBlobStore(path.resolve(set("BAILEY_BLOB_DIR") ?? path.join(env.BAILEY_DATA_DIR || ".bailey", "blobs")));
  }
  if (set("BAILEY_BLOB_DIR")) throw new Error("BAILEY_BLOB_DIR and BAILEY_S3_BUCKET are both set: logs and results go to one store; unset one of them.");
  const accessKeyId = set("BAILEY_S3_ACCESS_KEY_ID");
  const secretAccessKey = set("BAILEY_S3_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) throw new Error("BAILEY_S3_BUCKET is set: set BAILEY_S3_ACCESS_KEY_ID and BAILEY_S3_SECRET_ACCESS_KEY too (the store's access key).");
  const endpoint = set("BAILEY_S3_ENDPOINT");
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new Error(`BAILEY_S3_ENDPOINT must be the store's URL, like https://s3.example.com or http://127.0.0.1:9000, not "${endpoint}".`);
  const forcePathStyle = set("BAILEY_S3_FORCE_PATH_STYLE") ?? "false";
  if (!["true", "false", "1", "0"].includes(forcePathStyle)) throw new Error(`BAILEY_S3_FORCE_PATH_STYLE must be true or false, not "${forcePathStyle}".`);
  return new S3BlobStore({
    ...(endpoint ? { endpoint } : {}),
    bucket,
    region: set("BAILEY_S3_REGION") ?? "us-east-1",
    accessKeyId,
    secretAccessKey,
    forcePathStyle: forcePathStyle === "true" || forcePathStyle === "1",
  });
}
