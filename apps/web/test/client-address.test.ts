import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress, parseTrustedProxies, peerAddressHeader } from "../src/server/client-address";

describe("the client address sign-in attempts are counted against", () => {
  const none = parseTrustedProxies(undefined);
  const proxies = parseTrustedProxies("127.0.0.1, 10.0.0.0/8,::1");

  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    assert.equal(clientAddress({ [peerAddressHeader]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" }, none), "198.51.100.7");
    assert.equal(clientAddress({ [peerAddressHeader]: "::ffff:198.51.100.7" }, none), "198.51.100.7");
  });

  it("behind trusted proxies, is the right-most forwarded address no trusted proxy vouches for", () => {
    const headers = { [peerAddressHeader]: "127.0.0.1", "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.1.2.3" };
    assert.equal(clientAddress(headers, proxies), "203.0.113.5", "a client cannot prepend its way out of its bucket");
    assert.equal(clientAddress(new Headers(headers), proxies), "203.0.113.5");
    assert.equal(clientAddress({ [peerAddressHeader]: "198.51.100.9", "x-forwarded-for": "203.0.113.5" }, proxies), "198.51.100.9", "an untrusted peer's header is ignored");
  });

  it("refuses a BAILEY_TRUSTED_PROXIES entry that is not an address or range, with an example", () => {
    assert.throws(() => parseTrustedProxies("10.0.0.0/33"), /"10\.0\.0\.0\/33" is not an IP address or CIDR range\. Example: BAILEY_TRUSTED_PROXIES=/);
    assert.throws(() => parseTrustedProxies("proxy.local"), /"proxy\.local" is not an IP address/);
  });
});
