import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grantCredential, runSpec } from "../src";

describe("the egress contract's schemas", () => {
  it("a run spec's network.allow takes the proxy's host patterns and refuses anything else with the proxy's own message", () => {
    const ok = runSpec.parse({ image: "busybox", network: { policy: "strict", allow: ["api.example.com", "*.pypi.org", "10.0.0.5", "[::1]:8443"] } });
    assert.deepEqual(ok.network, { policy: "strict", allow: ["api.example.com", "*.pypi.org", "10.0.0.5", "[::1]:8443"] });
    for (const bad of ["*.com", "exa mple.com", "host:70000", "*.10.0.0.1"]) {
      const parsed = runSpec.safeParse({ image: "busybox", network: { allow: [bad] } });
      assert.equal(parsed.success, false, bad);
      assert.match(parsed.error!.issues[0]!.message, /Examples: api\.example\.com/, bad);
    }
    assert.equal(runSpec.parse({ image: "busybox" }).network, undefined, "absent means open, no proxy");
    assert.deepEqual(runSpec.parse({ image: "busybox", network: {} }).network, { policy: "open", allow: [] });
  });

  it("grant names and credentials refuse what could smuggle headers or split Basic auth", () => {
    assert.equal(runSpec.safeParse({ image: "busybox", grants: ["anthropic", "git.hub-1"] }).success, true);
    assert.equal(runSpec.safeParse({ image: "busybox", grants: ["-x"] }).success, false);
    const base = { name: "upstream", hosts: ["api.upstream.test"], inject: { kind: "bearer" }, value: "sk-1" };
    assert.equal(grantCredential.safeParse(base).success, true);
    assert.equal(grantCredential.safeParse({ ...base, value: "a\r\nX-Evil: 1" }).success, false);
    assert.equal(grantCredential.safeParse({ ...base, inject: { kind: "basic", username: "a:b" } }).success, false);
    assert.equal(grantCredential.safeParse({ ...base, inject: { kind: "header", header: "X Api" } }).success, false);
    assert.equal(grantCredential.safeParse({ ...base, hosts: [] }).success, false);
  });
});
