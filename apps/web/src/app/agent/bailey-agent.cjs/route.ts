import { readFile } from "node:fs/promises";
import { agentBundle } from "~/server/host-install";
import { restErrorResponse } from "@bailey/api";

export const dynamic = "force-dynamic";

/** The agent hosts install; install.sh checks it against the SHA-256 in the install command. */
export async function GET(): Promise<Response> {
  try {
    const bundle = agentBundle();
    return new Response(await readFile(bundle.path), { headers: { "content-type": "application/javascript", "x-bailey-sha256": bundle.sha256, "cache-control": "no-store" } });
  } catch (error) {
    return restErrorResponse(error);
  }
}
