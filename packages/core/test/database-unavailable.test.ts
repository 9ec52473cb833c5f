import assert from "node:assert/strict";
import { it } from "node:test";
import { databaseUnavailable } from "../src";

// Shapes as Prisma 7 with @prisma/adapter-pg reported them while Postgres restarted
// (apps/web/test/postgres-restart.test.ts observes them for real).
const prismaError = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error("Invalid `prisma.run.findMany()` invocation"), { code, meta: { driverAdapterError: Object.assign(new Error("adapter"), { cause }) }, clientVersion: "7.10.0" });

it("a stopped, stopping or starting Postgres is a 503 that says to retry", () => {
  for (const error of [
    prismaError("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }),
    prismaError("P2039", { originalCode: "57P03", originalMessage: "the database system is shutting down", kind: "postgres", code: "57P03" }),
    prismaError("P2039", { originalCode: "57P01", originalMessage: "terminating connection due to administrator command", kind: "postgres", code: "57P01" }),
    prismaError("P2039", { kind: "ConnectionClosed" }),
    new Error("Connection terminated unexpectedly"),
  ]) {
    const mapped = databaseUnavailable(error);
    assert.equal(mapped?.code, "UNAVAILABLE", error.message);
    assert.match(mapped!.message, /database is unreachable.*retry/);
  }
});

it("a failing statement is not an outage", () => {
  assert.equal(databaseUnavailable(prismaError("P2002", { originalCode: "23505", kind: "UniqueConstraintViolation" })), null);
  assert.equal(databaseUnavailable(prismaError("P2039", { originalCode: "42703", kind: "postgres", code: "42703" })), null);
  assert.equal(databaseUnavailable(new Error("boom")), null);
  assert.equal(databaseUnavailable(undefined), null);
});
