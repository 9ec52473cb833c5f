import { AppError } from "./errors";

/** Prisma's codes for "could not reach / lost the database" (not for a bad query). */
const prismaConnectionCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Driver adapter error kinds that mean the connection, not the statement, failed. */
const adapterConnectionKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "DatabaseAccessDenied"]);
/** SQLSTATE classes 08 (connection exception), 57P01–57P03 (shutdown, restart), 53300 (too many connections). */
const postgresConnectionState = /^(08...|57P0[1-3]|53300)$/;
/** node-postgres reports a session cut under it by message only. */
const droppedConnectionMessage = /^Connection terminated( unexpectedly| due to connection timeout)?$/;

/**
 * A database outage as a 503 the caller can act on, or null for any other error. Postgres
 * restarting shows up as refused connections, terminated sessions and "starting up"
 * answers; all of them pass once it is back, and the pool reconnects by itself.
 */
export function databaseUnavailable(error: unknown): AppError | null {
  if (!isConnectionFailure(error)) return null;
  return new AppError(
    "UNAVAILABLE",
    "The database is unreachable right now (it may be restarting); retry in a few seconds, Bailey reconnects by itself. A create retried with the same Idempotency-Key never makes a second run.",
  );
}

function isConnectionFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    const value = current as { code?: unknown; kind?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown };
    if (typeof value.code === "string" && (prismaConnectionCodes.has(value.code) || postgresConnectionState.test(value.code))) return true;
    if (typeof value.kind === "string" && adapterConnectionKinds.has(value.kind)) return true;
    if (typeof value.originalCode === "string" && postgresConnectionState.test(value.originalCode)) return true;
    if (current instanceof Error && droppedConnectionMessage.test(current.message)) return true;
    current = value.meta?.driverAdapterError ?? value.cause;
  }
  return false;
}
