import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { verifiedEmails } from "../src/server/oauth-providers";

describe("which provider emails Bailey trusts for linking", () => {
  it("takes GitHub's verified addresses only, as gathered at sign-in", () => {
    assert.deepEqual(verifiedEmails("github", { email: "unverified@example.com", bailey_verified_emails: ["a@example.com", "b@example.com"] }), ["a@example.com", "b@example.com"]);
    assert.deepEqual(verifiedEmails("github", { email: "unverified@example.com" }), []);
  });

  it("takes an OIDC email unless the issuer says it is unverified", () => {
    assert.deepEqual(verifiedEmails("oidc", { sub: "1", email: "a@example.com", email_verified: true }), ["a@example.com"]);
    assert.deepEqual(verifiedEmails("oidc", { sub: "1", email: "a@example.com" }), ["a@example.com"]);
    assert.deepEqual(verifiedEmails("oidc", { sub: "1", email: "a@example.com", email_verified: false }), []);
    assert.deepEqual(verifiedEmails("oidc", { sub: "1" }), []);
    assert.deepEqual(verifiedEmails("oidc", undefined), []);
  });
});
