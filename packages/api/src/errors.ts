import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { AppError, databaseUnavailable, type AppErrorCode } from "@bailey/core";

// tRPC derives the HTTP status from its code; these agree with core's appErrorHttpStatus.
const trpcCodes: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNPROCESSABLE: "UNPROCESSABLE_CONTENT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

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
