// `bailey-agent egress-proxy` as its own process, from the source and from the bundle hosts get:
// the config read from its directory (CA in files beside it), events as JSON lines on stdout.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, it } from "node:test";
import { createCertificateAuthority, type PemPair } from "../src/egress/ca";
import { egressConfigFileName } from "../src/egress/config";
import { httpsFetch, ProxyRefusedError, ProxyTunnelAgent, startEgressProxyProcess, startTlsUpstream, type TlsUpstream } from "../src/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const token = randomBytes(32).toString("hex");
let dir: string;
let bundle: string;
let upstream: TlsUpstream;
let runCa: PemPair;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bailey-egress-command-"));
  bundle = path.join(dir, "bailey-agent.cjs");
  execFileSync(process.execPath, [path.join(here, "../build.mjs"), bundle], { stdio: "ignore" });
  upstream = await startTlsUpstream(["localhost"]);
  runCa = await createCertificateAuthority("bailey run command-test");
  await writeFile(path.join(dir, "ca.crt"), runCa.certPem);
  await writeFile(path.join(dir, "ca.key"), runCa.keyPem, { mode: 0o600 });
  await writeFile(path.join(dir, "upstream-ca.pem"), upstream.caPem);
  const config = {
    token,
    caCertFile: "ca.crt",
    caKeyFile: "ca.key",
    grants: [{ name: "api", hosts: ["localhost"], inject: { kind: "header", header: "X-Api-Key" }, value: "from-the-grant" }],
    host: "127.0.0.1",
    port: 0,
  };
  await writeFile(path.join(dir, egressConfigFileName), JSON.stringify(config), { mode: 0o600 });
});

after(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

for (const from of ["source", "bundle"] as const) {
  it(`egress-proxy (${from}) serves the config directory's grants and prints its events`, async () => {
    const proxy = await startEgressProxyProcess({ configDir: dir, extraCaFile: path.join(dir, "upstream-ca.pem"), ...(from === "bundle" ? { bundle } : {}) });
    const agent = new ProxyTunnelAgent({ proxyHost: "127.0.0.1", proxyPort: proxy.port, token, ca: [runCa.certPem] });
    try {
      const response = await httpsFetch(agent, `https://localhost:${upstream.port}/x`);
      assert.equal(response.status, 200, response.body);
      assert.equal(upstream.requests.at(-1)!.headers["x-api-key"], "from-the-grant");
      agent.destroy();
      const allowed = await proxy.waitForEvent((event) => event.type === "egress.allowed");
      assert.equal(allowed.type === "egress.allowed" && allowed.via, "api");
      const refused = await httpsFetch(new ProxyTunnelAgent({ proxyHost: "127.0.0.1", proxyPort: proxy.port, token, ca: [runCa.certPem] }), "https://example.com/").catch((error: unknown) => error);
      assert.ok(refused instanceof ProxyRefusedError && refused.statusCode === 403, String(refused));
      const denied = await proxy.waitForEvent((event) => event.type === "egress.denied");
      assert.deepEqual({ ...denied, reason: "" }, { type: "egress.denied", host: "example.com", port: 443, reason: "" });
    } finally {
      agent.destroy();
      await proxy.stop();
    }
  });
}

it("egress-proxy with a broken config exits 1 and says what is wrong", async () => {
  const broken = await mkdtemp(path.join(tmpdir(), "bailey-egress-broken-"));
  try {
    await writeFile(path.join(broken, egressConfigFileName), JSON.stringify({ token: "x", grants: [] }));
    await assert.rejects(startEgressProxyProcess({ configDir: broken }), /exited \(1\)[\s\S]*token must be at least 16 characters[\s\S]*the per-run CA is missing/);
  } finally {
    await rm(broken, { recursive: true, force: true });
  }
});
