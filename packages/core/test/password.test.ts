import assert from "node:assert/strict";
import { describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { AppError, assertAcceptablePassword, defaultPasswordCost, hashPassword, passwordNeedsRehash, verifyPassword } from "../src";

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

  it("writes self-describing scrypt hashes at the requested cost, N=2^15 by default", async () => {
    assert.match(await hashPassword("some password", 5), /^\$scrypt\$N=32,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.equal(defaultPasswordCost, 15);
    const full = await hashPassword("some password");
    assert.match(full, /^\$scrypt\$N=32768,r=8,p=1\$/);
    assert.equal(await verifyPassword("some password", full), true);
  });

  it("still verifies bcrypt hashes from before, and asks for them to be replaced", async () => {
    const legacy = await bcrypt.hash("old password", 4);
    assert.equal(await verifyPassword("old password", legacy), true);
    assert.equal(await verifyPassword("old passwort", legacy), false);
    assert.equal(passwordNeedsRehash(legacy), true);
    assert.equal(passwordNeedsRehash(await hashPassword("x", 4)), true, "a cheaper scrypt than today's");
    assert.equal(passwordNeedsRehash(await hashPassword("x", 4), 4), false);
    assert.equal(await verifyPassword("anything", "not a hash"), false);
  });

  it("hashes on the thread pool: the event loop keeps turning during a full-cost hash", async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const started = performance.now();
    await Promise.all([hashPassword("p1 password"), hashPassword("p2 password")]);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    console.log(`two scrypt hashes at N=2^15: ${elapsed.toFixed(0)} ms, event loop ticked ${ticks} times`);
    assert.ok(ticks >= Math.min(10, elapsed / 10), `the event loop ticked ${ticks} times in ${elapsed.toFixed(0)} ms`);
  });

  it("refuses passwords that are too short, or too long for bcrypt to check fully", () => {
    assert.throws(() => assertAcceptablePassword("short"), isBadRequest(/at least 8 characters/));
    assert.throws(() => assertAcceptablePassword("x".repeat(73)), isBadRequest(/at most 72 bytes/));
    assert.throws(() => assertAcceptablePassword("é".repeat(37)), isBadRequest(/72 bytes/), "bytes, not characters");
    assert.doesNotThrow(() => assertAcceptablePassword("x".repeat(72)));
  });
});
