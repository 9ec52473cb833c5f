import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { AppError, appErrorHttpStatus, databaseUnavailable, type AppErrorCode } from "@bailey/core";

// tRPC derives the HTTP status from its code; these agree with core's appErrorHttpStatus.
const trpcCodes: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNPROCESSABLE: "UNPROCESSABLE_CONTENT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

const appCodes: Partial<Record<TRPC_ERROR_CODE_KEY, AppErrorCode>> = {
  ...Object.fromEntries(Object.entries(trpcCodes).map(([app, trpc]) => [trpc, app as AppErrorCode])),
  PARSE_ERROR: "BAD_REQUEST",
  UNSUPPORTED_MEDIA_TYPE: "BAD_REQUEST",
  METHOD_NOT_SUPPORTED: "NOT_FOUND",
  TIMEOUT: "UNAVAILABLE",
};

/** What a client is told of a failure nobody anticipated; the details go to the server's log. */
export const internalErrorMessage = "Something went wrong on the server; it has been logged.";

/** Seconds a client should wait before retrying an UNAVAILABLE answer (host or database away). */
export const retryAfterSeconds = 5;

/** The one place a domain error becomes a tRPC error. */
export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: trpcCodes[error.code], message: error.message, cause: error });
}

/** A procedure's failure as the client should see it: AppErrors mapped, the rest untouched. */
export function mapProcedureError(error: TRPCError): TRPCError {
  if (error.cause instanceof AppError) return toTRPCError(error.cause);
  const outage = databaseUnavailable(error.cause);
  return outage ? toTRPCError(outage) : error;
}

export interface FieldError {
  field: string;
  message: string;
}

/** Zod issues as forms and REST clients read them: one dotted field path and a sentence each. */
export function fieldErrorsOf(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "input",
    // A bad record key says why the key is bad, not zod's generic "Invalid key in record".
    message: issue.code === "invalid_key" && issue.issues.length ? issue.issues.map((inner) => inner.message).join("; ") : issue.message,
  }));
}

/** Whatever a request failed with, as an AppError: the shape both transports answer with. */
export function toAppError(thrown: unknown): AppError {
  const outage = databaseUnavailable(thrown instanceof TRPCError ? (thrown.cause ?? thrown) : thrown);
  if (outage) return outage;
  if (thrown instanceof AppError) return thrown;
  if (thrown instanceof TRPCError) {
    if (thrown.cause instanceof AppError) return thrown.cause;
    // Input validation only: a ZodError under INTERNAL_SERVER_ERROR is an output that broke its schema.
    if (thrown.code === "BAD_REQUEST" && thrown.cause instanceof ZodError) {
      const fields = fieldErrorsOf(thrown.cause);
      return new AppError("BAD_REQUEST", `Invalid input: ${fields.map((field) => `${field.field}: ${field.message}`).join("; ")}`, { fields });
    }
    const code = appCodes[thrown.code] ?? "INTERNAL";
    if (code !== "INTERNAL") return new AppError(code, thrown.message);
  }
  return new AppError("INTERNAL", internalErrorMessage);
}

/** The HTTP status and headers of an error, for REST and for tRPC's own responses. */
export function httpStatusOf(error: AppError): { status: number; headers: Record<string, string> } {
  return { status: appErrorHttpStatus[error.code], headers: error.code === "UNAVAILABLE" ? { "retry-after": String(retryAfterSeconds) } : {} };
}

/** REST's error body: `{"error":{"code","message","details"}}` with its status and headers. */
export function restErrorBody(thrown: unknown): { status: number; headers: Record<string, string>; body: unknown } {
  const error = toAppError(thrown);
  const { status, headers } = httpStatusOf(error);
  return { status, headers, body: { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } } };
}

export function restErrorResponse(thrown: unknown): Response {
  const { status, headers, body } = restErrorBody(thrown);
  return Response.json(body, { status, headers });
}

/** tRPC's responseMeta: an UNAVAILABLE answer carries Retry-After, as REST's does. */
export function trpcResponseMeta({ errors }: { errors: readonly TRPCError[] }): { headers?: Record<string, string> } {
  const unavailable = errors.some((error) => toAppError(error).code === "UNAVAILABLE");
  return unavailable ? { headers: { "retry-after": String(retryAfterSeconds) } } : {};
}
