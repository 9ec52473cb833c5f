import type { z } from "zod";

/**
 * JSON-RPC 2.0's reserved codes, then Bailey's own in the server-error range
 * (-32000..-32099). Codes are stable: callers branch on them, never on messages.
 */
export const rpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The two sides speak different protocol versions (see version.ts). */
  incompatibleVersion: -32000,
  /** The agent has no run with that ID. */
  runNotFound: -32001,
  /** The host's runtime cannot do what was asked (no networks, no runsc, ...). */
  unsupportedFeature: -32002,
  /** The run is in a state that does not allow the call, or the ID is taken by another spec. */
  conflict: -32003,
  /** No answer within the caller's time limit, or the caller cancelled. */
  timeout: -32004,
  /** The connection closed (or failed) before the answer arrived. */
  connectionClosed: -32005,
  /** The agent refused on policy grounds (e.g. sandbox required but unavailable). */
  refused: -32006,
  /**
   * The run's image could not be pulled (or is missing under pullPolicy never). `data` is
   * `{ image, registry, reason: "not_found" | "unauthorized" | "unreachable" | "never" | "other" }`.
   * Final for that run: the control plane fails it with the message rather than retrying.
   */
  imagePullFailed: -32007,
} as const;

export type RpcErrorCode = (typeof rpcErrorCodes)[keyof typeof rpcErrorCodes];

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

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

  toJSON(): RpcErrorObject {
    return { code: this.code, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }

  /** Rebuilds an error received on the wire, tolerating a malformed error object. */
  static fromJSON(value: unknown): RpcError {
    const object = (typeof value === "object" && value !== null ? value : {}) as Partial<Record<keyof RpcErrorObject, unknown>>;
    const code = typeof object.code === "number" && Number.isInteger(object.code) ? object.code : rpcErrorCodes.internalError;
    const message = typeof object.message === "string" ? object.message : "The peer answered with a malformed error.";
    return new RpcError(code, message, object.data);
  }
}

/** True when `error` is an RpcError (with `code`, when given). */
export function isRpcError(error: unknown, code?: number): error is RpcError {
  return error instanceof RpcError && (code === undefined || error.code === code);
}

/** Zod issues as lines a person can act on: `spec.resources.cpus: Too big: expected number to be <=256`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const where = issue.path
      .map((key) => (typeof key === "number" ? `[${key}]` : String(key)))
      .join(".")
      .replace(/\.\[/g, "[");
    // A bad record key says why (e.g. "must be a valid environment variable name"), not zod's "Invalid key in record".
    const message = issue.code === "invalid_key" && issue.issues.length ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
    return `${where || "params"}: ${message}`;
  });
}

/** Messages from thrown errors are capped so a runaway error cannot flood a frame. */
export const maxErrorMessageChars = 2_000;

/** Turns anything a handler threw into an RpcError; non-RpcErrors become -32603 with the cause's message only (no stack). */
export function toRpcError(error: unknown, method: string): RpcError {
  if (error instanceof RpcError) return error;
  const cause = error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
  const message = `${method} failed: ${cause}`;
  return new RpcError(rpcErrorCodes.internalError, message.length > maxErrorMessageChars ? `${message.slice(0, maxErrorMessageChars)}…` : message);
}
