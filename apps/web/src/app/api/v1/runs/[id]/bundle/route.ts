import { bundleResultName } from "@bailey/core";
import { resultDownload } from "~/server/rest/result-download";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

/** The commits the run made, as a git bundle (git fetch <file> <commit>); 404 saying why when it made none. */
export const GET = streamRoute("runs:read", (stream) => resultDownload(stream, bundleResultName));
