import { AppError, artifactResultName } from "@bailey/core";
import { resultDownload } from "~/server/rest/result-download";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

const artifactDownload = streamRoute("runs:read", (stream) => {
  const artifactPath = stream.params.name ?? "";
  if (!artifactPath || artifactPath.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    throw new AppError("BAD_REQUEST", "Name the artifact by its path relative to the workdir, as GET /api/v1/runs/{id}/artifacts lists it (no '.' or '..' segments).");
  return resultDownload(stream, artifactResultName(artifactPath));
});

/** One artifact by its path relative to the workdir (it may contain "/": a catch-all's segments, joined), as an attachment. */
export async function GET(request: Request, context: { params: Promise<{ id: string; name: string[] }> }): Promise<Response> {
  const { id, name } = await context.params;
  return artifactDownload(request, { params: Promise.resolve({ id, name: name.join("/") }) });
}
