import assert from "node:assert/strict";
import { describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { AppError, assertAcceptablePassword, defaultPasswordCost, hashPassword, verifyPassword } from "../src";

const isBadRequest = (pattern: RegExp) => (error: unknown) => error instanceof AppError && error.code === "BAD_REQUEST" && pattern.test(error.message);

describe("passwords", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const hash = await hashPassword("correct horse battery", 4);
    assert.notEqual(hash, "correct horse battery");
    assert.equal(await verifyPassword("correct horse battery", hash), true);
    assert.equal(await verifyPassword("correct horse batterY", hash), false);
    assert.equal(await verifyPassword("", hash), false);
  });

  it("salts every hash", async () => {
    assert.notEqual(await hashPassword("same password", 4), await hashPassword("same password", 4));
  });

  it("uses the requested cost, and cost 12 by default", async () => {
    assert.equal(bcrypt.getRounds(await hashPassword("some password", 5)), 5);
    assert.equal(defaultPasswordCost, 12);
  });

  it("refuses passwords that are too short, or too long for bcrypt to check fully", () => {
    assert.throws(() => assertAcceptablePassword("short"), isBadRequest(/at least 8 characters/));
    assert.throws(() => assertAcceptablePassword("x".repeat(73)), isBadRequest(/at most 72 bytes/));
    assert.throws(() => assertAcceptablePassword("é".repeat(37)), isBadRequest(/72 bytes/), "bytes, not characters");
    assert.doesNotThrow(() => assertAcceptablePassword("x".repeat(72)));
  });
});
