import { diffResultName } from "@bailey/core";
import { resultDownload } from "~/server/rest/result-download";
import { streamRoute } from "~/server/rest/stream-route";

export const dynamic = "force-dynamic";

/** The run's diff against its starting commit (git apply --binary applies it); 404 saying why when it has none. */
export const GET = streamRoute("runs:read", (stream) => resultDownload(stream, diffResultName));
