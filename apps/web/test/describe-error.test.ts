import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeError } from "../src/server/describe-error";

describe("describeError", () => {
  it("keeps the driver's words from a Prisma raw-query failure", () => {
    const prismaMessage = "\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:1`";
    assert.equal(describeError(new Error(prismaMessage)), "Can't reach database server at 127.0.0.1:1");
  });

  it("puts a multi-line message on one line", () => {
    assert.equal(describeError(new Error("misconfigured:\n  - DATABASE_URL is not set.\n  - NEXTAUTH_SECRET is not set.")), "misconfigured: - DATABASE_URL is not set. - NEXTAUTH_SECRET is not set.");
  });

  it("never answers with nothing", () => {
    assert.equal(describeError(new TypeError("")), "TypeError");
    assert.equal(describeError("plain"), "plain");
  });
});
