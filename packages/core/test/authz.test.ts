import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppError, canWrite, hasRole, isAdmin, requireRole, teamScope } from "../src";

describe("authorization helpers", () => {
  it("ranks roles owner > admin > member > viewer", () => {
    assert.equal(hasRole("owner", "admin"), true);
    assert.equal(hasRole("member", "admin"), false);
    assert.equal(canWrite("viewer"), false);
    assert.equal(canWrite("member"), true);
    assert.equal(isAdmin("admin"), true);
  });

  it("refuses a viewer's write with FORBIDDEN naming the role", () => {
    assert.throws(
      () => requireRole({ role: "viewer" }, "member"),
      (error: unknown) => error instanceof AppError && error.code === "FORBIDDEN" && /viewer/.test(error.message),
    );
  });

  it("always scopes by the caller's team, whatever the filter says", () => {
    assert.deepEqual(teamScope({ teamId: "t1" }, { teamId: "t2", state: "queued" }), { teamId: "t1", state: "queued" });
  });
});
