import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { it } from "node:test";
import { createCertificateAuthority } from "../src/egress/ca";
import { egressConfigFileName, loadEgressConfig, parseEgressConfig } from "../src/egress/config";
import { matchesHost, parseHostPattern } from "@bailey/protocol";
import { decideEgress } from "../src/egress/policy";
import { proxyAuthorized } from "../src/egress/proxy-auth";
import { readEgressProxyEnv } from "../src/env";

it("host patterns: exact names any port, *. one or more labels, :port narrows, case and trailing dot ignored", () => {
  const cases: [string, string, number, boolean][] = [
    ["api.example.com", "api.example.com", 443, true],
    ["api.example.com", "API.Example.COM.", 8443, true],
    ["api.example.com", "example.com", 443, false],
    ["api.example.com", "x.api.example.com", 443, false],
    ["*.example.com", "a.example.com", 443, true],
    ["*.example.com", "a.b.example.com", 443, true],
    ["*.example.com", "example.com", 443, false],
    ["*.example.com", "badexample.com", 443, false],
    ["*.Example.com:443", "a.example.com", 443, true],
    ["*.example.com:443", "a.example.com", 80, false],
    ["10.0.0.5", "10.0.0.5", 22, true],
    ["10.0.0.5:443", "10.0.0.5", 80, false],
    ["[::1]:8080", "[::1]", 8080, true],
    ["::1", "::1", 1, true],
  ];
  for (const [pattern, host, port, expected] of cases) assert.equal(matchesHost(parseHostPattern(pattern), host, port), expected, `${pattern} vs ${host}:${port}`);
});

it("a host pattern that is not one says what is", () => {
  for (const bad of ["*.com", "*", "a.*.com", "exa mple.com", "http://x.com", "x.com:0", "x.com:70000", "*.10.0.0.1", "-x.com", ""]) {
    assert.throws(() => parseHostPattern(bad), /Examples: api\.example\.com, \*\.example\.com/, bad);
  }
});

it("a grant wins over network.allow; the first grant that names a host wins; anything else is denied with what would allow it", () => {
  const grant = (name: string, hosts: string[]) => ({ name, hosts: hosts.map(parseHostPattern), inject: { kind: "bearer" as const }, value: "v" });
  const config = { grants: [grant("gh", ["api.github.com"]), grant("wide", ["*.github.com"])], allow: ["*.github.com", "pypi.org"].map(parseHostPattern) };
  assert.deepEqual(decideEgress(config, "api.github.com", 443), { kind: "grant", grant: config.grants[0] });
  assert.deepEqual(decideEgress(config, "uploads.github.com", 443), { kind: "grant", grant: config.grants[1] });
  assert.deepEqual(decideEgress(config, "pypi.org", 443), { kind: "allow" });
  const denied = decideEgress(config, "evil.test", 443);
  assert.equal(denied.kind, "deny");
  assert.match(denied.kind === "deny" ? denied.reason : "", /evil\.test:443 is not in this run's network\.allow .*add "evil\.test" to network\.allow.*grant/);
});

it("the proxy token: only Basic with the token as password, compared whatever its length", () => {
  const token = "0123456789abcdef0123456789abcdef";
  const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
  assert.equal(proxyAuthorized(basic(`bailey:${token}`), token), true);
  assert.equal(proxyAuthorized(basic(`anyone:${token}`), token), true);
  for (const header of [undefined, "", basic(token), basic(`bailey:${token}x`), basic("bailey:"), `Bearer ${token}`, basic(`${token}:x`)])
    assert.equal(proxyAuthorized(header, token), false, String(header));
});

it("a config with mistakes lists each with what to do; CA files are read beside it", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-egress-config-"));
  try {
    await assert.rejects(loadEgressConfig(dir), /cannot read the egress proxy config .*egress-proxy\.json \(ENOENT\).*--config-dir or BAILEY_EGRESS_CONFIG_DIR/);
    await writeFile(path.join(dir, egressConfigFileName), "{not json");
    await assert.rejects(loadEgressConfig(dir), /is not JSON/);
    const raw = {
      token: "short",
      grants: [
        { name: "a", hosts: [], inject: { kind: "cookie" }, value: "v" },
        { name: "a", hosts: ["*.com"], inject: { kind: "header", header: "Bad Header" }, value: "line\r\nInjected: yes" },
      ],
      allow: ["ok.example.com", "not a host"],
      extra: true,
    };
    await writeFile(path.join(dir, egressConfigFileName), JSON.stringify(raw));
    const error = await loadEgressConfig(dir).then(
      () => assert.fail("accepted"),
      (caught: Error) => caught.message,
    );
    for (const expected of [
      /token: token must be at least 16 characters/,
      /grants\.0\.hosts: a grant needs at least one host pattern/,
      /grants\.0\.inject.*inject\.kind must be bearer, header, basic or query/,
      /grants\.1\.hosts\.0: "\*\.com": a wildcard needs a domain/,
      /grants\.1\.inject\.header: inject\.header must be an HTTP header name/,
      /grants\.1\.value: a grant's value cannot contain CR, LF or NUL/,
      /allow\.1: "not a host" is not a host name/,
      /Unrecognized key.*extra/,
    ])
      assert.match(error, expected);

    const ca = await createCertificateAuthority("bailey config test");
    await writeFile(path.join(dir, "ca.crt"), ca.certPem);
    await writeFile(path.join(dir, "ca.key"), ca.keyPem);
    const config = await parseEgressConfig(
      { token: "t".repeat(32), caCertFile: "ca.crt", caKeyFile: "ca.key", grants: [{ name: "gh", hosts: ["api.github.com"], inject: { kind: "basic", username: "x-access-token" }, value: "v" }] },
      dir,
    );
    assert.equal(config.caCertPem, ca.certPem);
    assert.equal(config.port, 3128);
    assert.deepEqual(config.allow, []);
    await assert.rejects(parseEgressConfig({ token: "t".repeat(32) }, dir), /the per-run CA is missing: give caCertPem and caKeyPem, or caCertFile and caKeyFile/);
    await assert.rejects(parseEgressConfig({ token: "t".repeat(32), caCertFile: "nope.crt", caKeyFile: "ca.key" }, dir), /cannot read caCertFile .*nope\.crt \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("egress-proxy's settings: the config directory defaults to /run/bailey-egress, no extra CA unless given", () => {
  assert.equal(readEgressProxyEnv({}).BAILEY_EGRESS_CONFIG_DIR, "/run/bailey-egress");
  assert.equal(readEgressProxyEnv({}).BAILEY_EGRESS_EXTRA_CA_FILE, undefined);
  assert.deepEqual(readEgressProxyEnv({ BAILEY_EGRESS_CONFIG_DIR: "/cfg", BAILEY_EGRESS_EXTRA_CA_FILE: "/ca.pem" }), { BAILEY_EGRESS_CONFIG_DIR: "/cfg", BAILEY_EGRESS_EXTRA_CA_FILE: "/ca.pem" });
  assert.equal(readEgressProxyEnv({ BAILEY_EGRESS_EXTRA_CA_FILE: "" }).BAILEY_EGRESS_EXTRA_CA_FILE, undefined, "empty is unset");
});
