import { readFile } from "node:fs/promises";
import { restErrorResponse } from "@bailey/api";
import { installScriptPath } from "~/server/host-install";

export const dynamic = "force-dynamic";

/** The installer the one-line install command pipes into bash. */
export async function GET(): Promise<Response> {
  try {
    return new Response(await readFile(installScriptPath()), { headers: { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store" } });
  } catch (error) {
    return restErrorResponse(error);
  }
}
