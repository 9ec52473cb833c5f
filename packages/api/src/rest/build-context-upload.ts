import { AppError, buildContextTooLarge, maxBuildContextBytes, uploadBuildContext } from "@bailey/core";
import type { Context } from "../context";
import { resolveTeamContext } from "../team-context";
import { uploadOperations } from "./uploads";

const accepted = uploadOperations.find((operation) => operation.path === "/build-contexts")!.contentTypes;

/** The body's bytes up to `limit`: a larger one (declared or streamed) is 413 without reading the rest. */
async function readAtMost(request: Request, limit: number): Promise<Uint8Array> {
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw buildContextTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * POST /build-contexts: the raw tar, stored for the caller's team (runs:write, members).
 * The declared size, the token and its scope are checked before the body is read.
 */
export async function uploadBuildContextRoute(request: Request, createContext: (request: Request) => Promise<Context>): Promise<{ body: unknown; status: number }> {
  if (Number(request.headers.get("content-length") ?? "0") > maxBuildContextBytes) throw buildContextTooLarge();
  if (!/^Bearer\s+\S+$/i.test(request.headers.get("authorization") ?? "")) throw new AppError("UNAUTHORIZED", "Send an API token with the runs:write scope: Authorization: Bearer bly_...");
  const ctx = await createContext(request);
  const { teamContext } = await resolveTeamContext(ctx, "runs:write");
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!accepted.includes(type)) throw new AppError("BAD_REQUEST", `Content-Type ${type || "(none)"} is not accepted here; send the tar as application/x-tar, or gzipped as application/gzip.`);
  const bytes = await readAtMost(request, maxBuildContextBytes);
  const { context, created } = await uploadBuildContext({ prisma: ctx.prisma, ctx: teamContext, bytes });
  return { body: { buildContext: context, created }, status: created ? 201 : 200 };
}
