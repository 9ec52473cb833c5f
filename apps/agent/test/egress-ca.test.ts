import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { it } from "node:test";
import { CertificateAuthority, createCertificateAuthority } from "../src/egress/ca";
import { LeafCache } from "../src/egress/leaf-cache";

it("the run CA is an ECDSA P-256 CA, and its leaves name their host, chain to it, and take milliseconds", async () => {
  const pair = await createCertificateAuthority("bailey run r-123");
  const ca = new X509Certificate(pair.certPem);
  assert.equal(ca.ca, true);
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const authority = await CertificateAuthority.load(pair);
  const started = performance.now();
  const leaves = await Promise.all(["api.github.com", "10.1.2.3"].map((host) => authority.issueServerCertificate(host)));
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `two leaves took ${elapsed.toFixed(0)} ms`);
  const [named, addressed] = leaves.map((leaf) => new X509Certificate(leaf.certPem));
  assert.equal(named!.subjectAltName, "DNS:api.github.com");
  assert.equal(named!.checkHost("api.github.com"), "api.github.com");
  assert.equal(named!.checkHost("github.com"), undefined);
  assert.equal(addressed!.checkIP("10.1.2.3"), "10.1.2.3");
  assert.equal(named!.ca, false);
  assert.ok(named!.checkIssued(ca) && named!.verify(ca.publicKey));
  assert.ok(new Date(named!.validTo) <= new Date(ca.validTo));
});

it("a CA key or certificate that is not one is refused with what was expected", async () => {
  const pair = await createCertificateAuthority("bailey run r-124");
  await assert.rejects(CertificateAuthority.load({ ...pair, keyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }), /the CA key is not a PEM PKCS#8 ECDSA P-256 private key/);
  await assert.rejects(CertificateAuthority.load({ ...pair, certPem: "nope" }), /the CA certificate is not a PEM X\.509 certificate/);
});

it("leaves are minted once per host, concurrent first uses included, and a host's case does not matter", async () => {
  const authority = await CertificateAuthority.load(await createCertificateAuthority("bailey run r-125"));
  let minted = 0;
  const issue = authority.issueServerCertificate.bind(authority);
  authority.issueServerCertificate = (host) => {
    minted++;
    return issue(host);
  };
  const cache = new LeafCache(authority);
  const contexts = await Promise.all([cache.secureContextFor("api.example.com"), cache.secureContextFor("API.example.com"), cache.secureContextFor("api.example.com.")]);
  assert.equal(minted, 1);
  assert.ok(contexts[0] === contexts[1] && contexts[1] === contexts[2]);
  await cache.secureContextFor("other.example.com");
  await cache.secureContextFor("api.example.com");
  assert.equal(minted, 2);
});
