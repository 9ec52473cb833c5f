import { Readable } from "node:stream";
import { openRunResult } from "@bailey/core";
import { blobStore } from "~/server/blob-store";
import { db } from "~/server/db";
import type { StreamContext } from "~/server/rest/stream-route";

const contentTypes = { diff: "text/x-diff; charset=utf-8", bundle: "application/x-git-bundle", artifact: "application/octet-stream" } as const;

/**
 * One stored result file of a run as a download, streamed from the blob store as the client
 * reads it, with its SHA-256 in x-content-sha256 so a client can check what it got.
 */
export async function resultDownload({ ctx, request, params }: StreamContext, name: string): Promise<Response> {
  const opened = await openRunResult({ prisma: db(), blobs: blobStore(), ctx, runId: params.id ?? "", name });
  request.signal.addEventListener("abort", () => opened.stream.destroy(), { once: true });
  const filename = (name.split("/").at(-1) ?? "result").replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(Readable.toWeb(opened.stream) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": contentTypes[opened.kind],
      "content-length": String(opened.sizeBytes),
      "content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(name.split("/").at(-1) ?? "result")}`,
      "x-content-sha256": opened.sha256,
      "cache-control": "no-store",
    },
  });
}
