import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseServerEnv } from "../src/env";

const valid = {
  DATABASE_URL: "postgresql://bailey:secret@localhost:5432/bailey",
  NEXTAUTH_SECRET: "a".repeat(32),
};

function problemsWith(env: Record<string, string | undefined>): string {
  try {
    parseServerEnv(env);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("expected the settings to be refused");
}

describe("the dashboard's environment", () => {
  it("accepts the minimum and fills in defaults", () => {
    const env = parseServerEnv(valid);
    assert.equal(env.NEXTAUTH_URL, "http://localhost:3000");
    assert.equal(env.GITHUB_ID, undefined);
    assert.equal(env.OIDC_NAME, "Single sign-on");
    assert.equal(env.BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES, 10);
    assert.equal(env.BAILEY_SIGNIN_BLOCK_SECONDS, 30);
  });

  it("names a malformed sign-in throttle setting or trusted proxy with an example", () => {
    assert.match(problemsWith({ ...valid, BAILEY_SIGNIN_BLOCK_SECONDS: "soon" }), /BAILEY_SIGNIN_BLOCK_SECONDS must be a whole number from 1 to 3600\. Example: BAILEY_SIGNIN_BLOCK_SECONDS=30/);
    assert.match(problemsWith({ ...valid, BAILEY_TRUSTED_PROXIES: "10.0.0.1,nope" }), /BAILEY_TRUSTED_PROXIES: "nope" is not an IP address/);
    assert.equal(parseServerEnv({ ...valid, BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES: "5" }).BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES, 5);
  });

  it("names each missing or malformed variable with an example", () => {
    const missing = problemsWith({});
    assert.match(missing, /DATABASE_URL is not set\. Example: DATABASE_URL=postgresql:\/\//);
    assert.match(missing, /NEXTAUTH_SECRET is not set\. Example: NEXTAUTH_SECRET=/);
    assert.match(problemsWith({ ...valid, DATABASE_URL: "mysql://x@localhost/db" }), /DATABASE_URL must be a postgresql:\/\/ URL.*Example: DATABASE_URL=postgresql/);
    assert.match(problemsWith({ ...valid, NEXTAUTH_SECRET: "short" }), /NEXTAUTH_SECRET must be at least 32 characters/);
    assert.match(problemsWith({ ...valid, NEXTAUTH_URL: "not a url" }), /NEXTAUTH_URL must be a URL\. Example:/);
  });

  it("hides the database password when it quotes a bad URL", () => {
    assert.doesNotMatch(problemsWith({ ...valid, DATABASE_URL: "postgresql://bailey:hunter2@" }), /hunter2/);
  });

  it("wants both GitHub settings or neither", () => {
    assert.match(problemsWith({ ...valid, GITHUB_ID: "Iv1.abc" }), /Set both GITHUB_ID and GITHUB_SECRET.*Example/);
    assert.equal(parseServerEnv({ ...valid, GITHUB_ID: "Iv1.abc", GITHUB_SECRET: "s" }).GITHUB_SECRET, "s");
    assert.equal(parseServerEnv({ ...valid, GITHUB_ID: "", GITHUB_SECRET: "" }).GITHUB_ID, undefined, "empty means unset");
  });

  it("wants all three OIDC settings or none", () => {
    assert.match(problemsWith({ ...valid, OIDC_ISSUER: "https://auth.example.com", OIDC_CLIENT_ID: "bailey" }), /OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.*Example/);
    assert.match(problemsWith({ ...valid, OIDC_ISSUER: "auth.example.com", OIDC_CLIENT_ID: "b", OIDC_CLIENT_SECRET: "s" }), /OIDC_ISSUER must be the provider's issuer URL/);
    const env = parseServerEnv({ ...valid, OIDC_ISSUER: "https://auth.example.com", OIDC_CLIENT_ID: "b", OIDC_CLIENT_SECRET: "s", OIDC_NAME: "Keycloak" });
    assert.equal(env.OIDC_NAME, "Keycloak");
  });
});
