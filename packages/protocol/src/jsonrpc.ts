import { RpcError, rpcErrorCodes, type RpcErrorObject } from "./errors";

/** JSON-RPC 2.0 message shapes (no batches: a frame holds exactly one message). */
export type RpcId = number | string;

export interface RpcRequest {
  jsonrpc: "2.0";
  id: RpcId;
  method: string;
  params?: unknown;
}

export interface RpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
}

export type RpcResponse = { jsonrpc: "2.0"; id: RpcId | null; result: unknown } | { jsonrpc: "2.0"; id: RpcId | null; error: RpcErrorObject };

export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

/**
 * Notifications the peer itself uses to carry streams; handlers never see them.
 * `$/chunk {id, fd, data}` is one piece of the stream of call `id` (data in base64);
 * `$/cancel {id}` asks the other side to abort call `id` (its handler's signal fires).
 * A stream ends with the call's ordinary response: a result, or an error.
 */
export const streamChunkMethod = "$/chunk";
export const cancelMethod = "$/cancel";

export type Classified =
  | { kind: "request"; message: RpcRequest }
  | { kind: "notification"; message: RpcNotification }
  | { kind: "response"; id: RpcId | null; result: unknown }
  | { kind: "error-response"; id: RpcId | null; error: RpcError }
  | { kind: "invalid"; id: RpcId | null; error: RpcError };

const isId = (value: unknown): value is RpcId => (typeof value === "number" && Number.isFinite(value)) || typeof value === "string";

/** Sorts a parsed frame into what the peer must do with it; anything else is an invalid request. */
export function classify(value: unknown): Classified {
  const invalid = (why: string, id: RpcId | null = null): Classified => ({ kind: "invalid", id, error: new RpcError(rpcErrorCodes.invalidRequest, `Invalid JSON-RPC message: ${why}.`) });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid(Array.isArray(value) ? "batches are not supported" : "expected an object");
  const message = value as Record<string, unknown>;
  const id = isId(message.id) ? message.id : null;
  if (message.jsonrpc !== "2.0") return invalid('"jsonrpc" must be "2.0"', id);
  if ("method" in message) {
    if (typeof message.method !== "string") return invalid('"method" must be a string', id);
    if (message.params !== undefined && (typeof message.params !== "object" || message.params === null)) return invalid('"params" must be an object or an array', id);
    if (!("id" in message)) return { kind: "notification", message: message as unknown as RpcNotification };
    if (!isId(message.id)) return invalid('"id" must be a number or a string');
    return { kind: "request", message: message as unknown as RpcRequest };
  }
  if (!("id" in message) || (message.id !== null && !isId(message.id))) return invalid('a response needs an "id"');
  if ("error" in message) return { kind: "error-response", id, error: RpcError.fromJSON(message.error) };
  if ("result" in message) return { kind: "response", id, result: message.result };
  return invalid('a response needs a "result" or an "error"', id);
}
