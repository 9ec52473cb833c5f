export const rpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  incompatibleVersion: -32000,
  runNotFound: -32001,
  unsupportedFeature: -32002,
  conflict: -32003,
  timeout: -32004,
  connectionClosed: -32005,
  refused: -32006,
} as const;

export type RpcErrorCode = (typeof rpcErrorCodes)[keyof typeof rpcErrorCodes];

/** A JSON-RPC error with a code callers branch on and a message people act on. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return { code: this.code, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }
}
