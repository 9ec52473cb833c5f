import { isRpcError, rpcErrorCodes } from "./errors";
import type { Result } from "./method-map";
import type { RequestOptions, RpcPeer } from "./peer";
import { minProtocolVersion } from "./version";

/**
 * `agent.hello`, offering the newest version this side speaks. An agent of an older release
 * refuses it with -32000 and its own version in the error's data; when this side still speaks
 * that version, the hello is made again with it, and the connection talks it (no binary chunk
 * frames with a version-1 agent). Any other refusal is thrown as it came.
 */
export async function negotiateHello(peer: RpcPeer, client: string, options: RequestOptions = {}): Promise<Result<"agent.hello">> {
  try {
    return await peer.request("agent.hello", { protocolVersion: peer.newestVersion, client }, options);
  } catch (error) {
    if (!isRpcError(error, rpcErrorCodes.incompatibleVersion)) throw error;
    const theirs = (error.data as { ours?: unknown } | undefined)?.ours;
    if (typeof theirs !== "number" || theirs < minProtocolVersion || theirs >= peer.newestVersion) throw error;
    return await peer.request("agent.hello", { protocolVersion: theirs, client }, options);
  }
}
