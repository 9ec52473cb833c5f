// The egress proxy on 127.0.0.1 between a real HTTPS client and real HTTPS upstreams, each with
// a CA of its own: the proxy trusts the upstreams' CA through BAILEY_EGRESS_EXTRA_CA_FILE, the
// client trusts the run's CA (and, for tunnels, the upstream's own).
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createCertificateAuthority, type PemPair } from "../src/egress/ca";
import { parseEgressConfig } from "../src/egress/config";
import type { EgressEvent } from "../src/egress/events";
import { startEgressProxy } from "../src/egress/proxy-server";
import { httpsFetch, ProxyRefusedError, ProxyTunnelAgent, startTlsUpstream, type TlsUpstream } from "../src/testing";

const token = randomBytes(16).toString("hex");
let runCa: PemPair;
let trusted: TlsUpstream;
let tunnelled: TlsUpstream;
let untrusted: TlsUpstream;
let dir: string;
let extraCaFile: string;

before(async () => {
  runCa = await createCertificateAuthority("bailey run test");
  trusted = await startTlsUpstream(["localhost", "127.0.0.1"]);
  tunnelled = await startTlsUpstream(["127.0.0.1"]);
  untrusted = await startTlsUpstream(["localhost"]);
  dir = await mkdtemp(path.join(tmpdir(), "bailey-egress-"));
  extraCaFile = path.join(dir, "extra-ca.pem");
  // The proxy trusts the upstreams' CAs, except the one the untrusted upstream's certificate is from.
  await writeFile(extraCaFile, `${trusted.caPem}${tunnelled.caPem}`);
});

after(async () => {
  await Promise.all([trusted.close(), tunnelled.close(), untrusted.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function withProxy(
  raw: Record<string, unknown>,
  body: (context: { port: number; events: EgressEvent[]; agent: (options?: { token?: string; ca?: string[] }) => ProxyTunnelAgent }) => Promise<void>,
) {
  const config = await parseEgressConfig({ token, caCertPem: runCa.certPem, caKeyPem: runCa.keyPem, host: "127.0.0.1", port: 0, ...raw }, dir);
  const events: EgressEvent[] = [];
  const proxy = await startEgressProxy(config, { events: (event) => events.push(event), extraCaFile, log: () => undefined });
  const agents: ProxyTunnelAgent[] = [];
  try {
    await body({
      port: proxy.port,
      events,
      agent: (options = {}) => {
        const agent = new ProxyTunnelAgent({
          proxyHost: "127.0.0.1",
          proxyPort: proxy.port,
          ca: options.ca ?? [runCa.certPem],
          keepAlive: true,
          ...("token" in options ? (options.token === undefined ? {} : { token: options.token }) : { token }),
        });
        agents.push(agent);
        return agent;
      },
    });
  } finally {
    for (const agent of agents) agent.destroy();
    await proxy.close();
  }
}

const until = async (test: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(test(), what);
};

describe("a granted host", () => {
  const cases: { inject: Record<string, string>; fakeHeaders: Record<string, string>; query?: string; expect: (received: { url: string; headers: IncomingHttpHeaders }) => void }[] = [
    { inject: { kind: "bearer" }, fakeHeaders: { Authorization: "Bearer fake-from-the-run" }, expect: ({ headers }) => assert.equal(headers.authorization, "Bearer s3cret-value") },
    {
      inject: { kind: "header", header: "X-Api-Key" },
      fakeHeaders: { "x-api-key": "fake", Authorization: "Bearer the-runs-own" },
      expect: ({ headers }) => (assert.equal(headers["x-api-key"], "s3cret-value"), assert.equal(headers.authorization, "Bearer the-runs-own", "a header the grant does not set passes")),
    },
    {
      inject: { kind: "basic", username: "ci-bot" },
      fakeHeaders: { authorization: "Basic ZmFrZTpmYWtl" },
      expect: ({ headers }) => assert.equal(headers.authorization, `Basic ${Buffer.from("ci-bot:s3cret-value").toString("base64")}`),
    },
    {
      inject: { kind: "query", param: "api_key" },
      fakeHeaders: {},
      query: "?keep=1&api_key=fake&api_key=fake2",
      expect: ({ url }) => {
        const params = new URL(url, "https://x").searchParams;
        assert.deepEqual(params.getAll("api_key"), ["s3cret-value"]);
        assert.equal(params.get("keep"), "1");
      },
    },
  ];
  for (const { inject, fakeHeaders, query, expect } of cases) {
    it(`gets the credential injected (${inject.kind}), replacing whatever the run sent under that name`, async () => {
      await withProxy({ grants: [{ name: "api", hosts: ["LOCALHOST"], inject, value: "s3cret-value" }] }, async ({ agent }) => {
        const seen = trusted.requests.length;
        const response = await httpsFetch(agent(), `https://localhost:${trusted.port}/v1/things${query ?? ""}`, { headers: fakeHeaders });
        assert.equal(response.status, 200, response.body);
        assert.equal(trusted.requests.length, seen + 1);
        const received = trusted.requests.at(-1)!;
        expect(received);
        assert.equal(received.headers["proxy-authorization"], undefined, "the run's token stays with the proxy");
        assert.equal(received.headers.host, `localhost:${trusted.port}`);
        assert.match(String(response.peerCertificate.issuer.CN), /bailey run test/, "the run sees the run CA's certificate for a granted host");
        assert.equal(response.peerCertificate.subjectaltname, "DNS:localhost");
      });
    });
  }

  it("many requests on one kept-alive connection, a POST body streamed up, a 1 MiB download: one egress.allowed event with the bytes", async () => {
    await withProxy({ grants: [{ name: "api", hosts: ["*.nowhere.test", "localhost"], inject: { kind: "bearer" }, value: "v" }] }, async ({ agent, events }) => {
      const client = agent();
      const connectionsBefore = trusted.connections();
      for (let i = 0; i < 5; i++) assert.equal((await httpsFetch(client, `https://localhost:${trusted.port}/n/${i}`)).status, 200);
      const posted = await httpsFetch(client, `https://localhost:${trusted.port}/upload`, { method: "POST", body: "x".repeat(200_000), headers: { "content-type": "text/plain" } });
      assert.equal(JSON.parse(posted.body).method, "POST");
      const download = await httpsFetch(client, `https://localhost:${trusted.port}/bytes/1048576`);
      assert.equal(download.body.length, 1048576);
      assert.equal(trusted.connections() - connectionsBefore, 1, "the proxy keeps its upstream connection alive too");
      assert.equal(events.filter((event) => event.type === "egress.allowed").length, 0, "nothing until the connection closes");
      client.destroy();
      await until(() => events.some((event) => event.type === "egress.allowed"), "egress.allowed after the close");
      const allowed = events.find((event) => event.type === "egress.allowed")!;
      assert.deepEqual({ ...allowed, bytesIn: 0, bytesOut: 0 }, { type: "egress.allowed", host: "localhost", port: trusted.port, via: "api", bytesIn: 0, bytesOut: 0 });
      assert.ok(allowed.type === "egress.allowed" && allowed.bytesIn > 1048576 && allowed.bytesIn < 1200000, `bytesIn ${JSON.stringify(allowed)}`);
      assert.ok(allowed.type === "egress.allowed" && allowed.bytesOut > 200_000 && allowed.bytesOut < 250_000, `bytesOut ${JSON.stringify(allowed)}`);
    });
  });

  it("works for a client that sends its TLS hello right behind the CONNECT, before the proxy's 200", async () => {
    await withProxy({ grants: [{ name: "api", hosts: ["localhost"], inject: { kind: "bearer" }, value: "pipelined" }] }, async ({ port }) => {
      const raw = connect({ host: "127.0.0.1", port });
      await once(raw, "connect");
      raw.cork();
      raw.write(`CONNECT localhost:${trusted.port} HTTP/1.1\r\nHost: localhost:${trusted.port}\r\nProxy-Authorization: Basic ${Buffer.from(`bailey:${token}`).toString("base64")}\r\n\r\n`);
      // The TLS client reads past the proxy's 200; its first write (the hello) goes out in the same packet as the CONNECT.
      let pending = Buffer.alloc(0);
      let inTunnel = false;
      const afterResponse = new Duplex({
        read: () => raw.resume(),
        write: (chunk, _encoding, callback) => {
          raw.write(chunk, callback);
          raw.uncork();
        },
      });
      raw.on("data", (data: Buffer) => {
        if (inTunnel) return void afterResponse.push(data);
        pending = Buffer.concat([pending, data]);
        const end = pending.indexOf("\r\n\r\n");
        if (end === -1) return;
        assert.match(pending.subarray(0, end).toString(), /^HTTP\/1\.1 200/);
        inTunnel = true;
        if (pending.length > end + 4) afterResponse.push(pending.subarray(end + 4));
      });
      raw.once("end", () => afterResponse.push(null));
      const secure = tlsConnect({ socket: afterResponse, servername: "localhost", ca: [runCa.certPem] });
      await once(secure, "secureConnect");
      secure.write(`GET /pipelined HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      let response = "";
      for await (const chunk of secure) response += chunk;
      assert.match(response, /^HTTP\/1\.1 200/);
      assert.equal(trusted.requests.at(-1)!.headers.authorization, "Bearer pipelined");
      raw.destroy();
    });
  });

  it("whose certificate does not verify gets the run a 502 that says so, and no request reaches it", async () => {
    await withProxy({ grants: [{ name: "untrusted", hosts: [`localhost:${untrusted.port}`], inject: { kind: "bearer" }, value: "must-not-leak" }] }, async ({ agent }) => {
      const response = await httpsFetch(agent(), `https://localhost:${untrusted.port}/`);
      assert.equal(response.status, 502);
      assert.match(response.body, /certificate of localhost:\d+ did not verify .*does not fall back/);
      assert.equal(untrusted.requests.length, 0);
    });
  });
});

describe("the run's token", () => {
  for (const [label, sent] of [
    ["missing", undefined],
    ["wrong", "not-the-token-at-all"],
    ["empty", ""],
  ] as const) {
    it(`${label}: 407 with Proxy-Authenticate, and the upstream is never contacted`, async () => {
      await withProxy({ grants: [{ name: "api", hosts: ["localhost"], inject: { kind: "bearer" }, value: "v" }], allow: ["127.0.0.1"] }, async ({ agent, port, events }) => {
        const before = trusted.connections();
        for (const host of ["localhost", "127.0.0.1"]) {
          const refused = await httpsFetch(agent({ token: sent }), `https://${host}:${trusted.port}/`).then(
            () => assert.fail("the request went through"),
            (error: unknown) => error,
          );
          assert.ok(refused instanceof ProxyRefusedError, String(refused));
          assert.equal(refused.statusCode, 407);
          assert.equal(refused.headers["proxy-authenticate"], 'Basic realm="bailey-egress"');
        }
        const plain = await plainRequest(port, `http://127.0.0.1:${trusted.port}/`, sent);
        assert.equal(plain.status, 407);
        assert.equal(trusted.connections(), before);
        assert.deepEqual(
          events.filter((event) => event.type !== "egress.listening"),
          [],
        );
      });
    });
  }
});

function plainRequest(proxyPort: number, url: string, proxyToken: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port: proxyPort,
        path: url,
        headers: proxyToken === undefined ? {} : { "proxy-authorization": `Basic ${Buffer.from(`bailey:${proxyToken}`).toString("base64")}`, authorization: "Bearer the-runs-own" },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.once("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.once("error", reject);
    request.end();
  });
}

describe("a host that is neither granted nor allowed", () => {
  it("gets a 403 that names network.allow and grants, and an egress.denied event", async () => {
    await withProxy({ grants: [{ name: "api", hosts: ["api.example.com"], inject: { kind: "bearer" }, value: "v" }], allow: ["*.example.org"] }, async ({ agent, events, port }) => {
      const before = trusted.connections();
      const refused = await httpsFetch(agent(), `https://localhost:${trusted.port}/`).catch((error: unknown) => error);
      assert.ok(refused instanceof ProxyRefusedError, String(refused));
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /localhost:\d+ is not in this run's network\.allow and no grant of the run names it: add "localhost" to network\.allow .* or give the run a grant/);
      const plain = await plainRequest(port, `http://example.org/`, token);
      assert.equal(plain.status, 403, "example.org itself is not *.example.org");
      assert.equal(trusted.connections(), before);
      assert.deepEqual(
        events.filter((event) => event.type === "egress.denied").map((event) => ({ ...event, reason: "" })),
        [
          { type: "egress.denied", host: "localhost", port: trusted.port, reason: "" },
          { type: "egress.denied", host: "example.org", port: 80, reason: "" },
        ],
      );
    });
  });
});

describe("an allowed host", () => {
  it("is tunnelled: the run sees the upstream's own certificate and no credential is added", async () => {
    await withProxy({ grants: [{ name: "api", hosts: ["localhost"], inject: { kind: "bearer" }, value: "v" }], allow: [`127.0.0.1:${tunnelled.port}`] }, async ({ agent, events }) => {
      const client = agent({ ca: [tunnelled.caPem] });
      const response = await httpsFetch(client, `https://127.0.0.1:${tunnelled.port}/x`, { headers: { authorization: "Bearer the-runs-own" } });
      assert.equal(response.status, 200);
      assert.equal(response.peerCertificate.fingerprint256, new X509Certificate(tunnelled.certPem).fingerprint256);
      assert.equal(tunnelled.requests.at(-1)!.headers.authorization, "Bearer the-runs-own");
      client.destroy();
      await until(() => events.some((event) => event.type === "egress.allowed"), "egress.allowed after the close");
      const allowed = events.find((event) => event.type === "egress.allowed")!;
      assert.ok(allowed.type === "egress.allowed" && allowed.via === "allow" && allowed.host === "127.0.0.1" && allowed.bytesIn > 500 && allowed.bytesOut > 200, JSON.stringify(allowed));
    });
  });

  it("on another port than its pattern names is denied", async () => {
    await withProxy({ allow: [`127.0.0.1:${tunnelled.port === 1 ? 2 : 1}`] }, async ({ agent }) => {
      const refused = await httpsFetch(agent({ ca: [tunnelled.caPem] }), `https://127.0.0.1:${tunnelled.port}/`).catch((error: unknown) => error);
      assert.ok(refused instanceof ProxyRefusedError && refused.statusCode === 403, String(refused));
    });
  });

  it("over plain HTTP is forwarded as it is; a granted one too, but never with the credential", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.end("plain");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const plainPort = (server.address() as AddressInfo).port;
    try {
      await withProxy({ grants: [{ name: "api", hosts: ["localhost"], inject: { kind: "bearer" }, value: "must-not-leak" }], allow: ["127.0.0.1"] }, async ({ port, events }) => {
        for (const host of ["127.0.0.1", "localhost"]) {
          const response = await plainRequest(port, `http://${host}:${plainPort}/p?q=1`, token);
          assert.deepEqual(response, { status: 200, body: "plain" });
          assert.equal(seen.at(-1)!.authorization, "Bearer the-runs-own");
          assert.equal(seen.at(-1)!["proxy-authorization"], undefined);
        }
        await until(() => events.filter((event) => event.type === "egress.allowed").length === 2, "an event per plain request");
        assert.deepEqual(
          events.filter((event) => event.type === "egress.allowed").map((event) => event.type === "egress.allowed" && [event.host, event.via, event.bytesIn]),
          [
            ["127.0.0.1", "allow", 5],
            ["localhost", "api", 5],
          ],
        );
      });
    } finally {
      server.close();
    }
  });
});
