// The egress proxy in front of a granted host (TLS terminated, credential injected, TLS again to
// the upstream) against the same client talking to the upstream directly, on loopback, in the
// same process run. The proxy is its own process (`bailey-agent egress-proxy`), as in its
// container; the client and the upstream share this one.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProxyTunnelAgent, startEgressProxyProcess, startTlsUpstream } from "@bailey/agent/testing";
import { createCertificateAuthority } from "../apps/agent/src/egress/ca";

const requests = Number(process.env.BAILEY_BENCH_EGRESS_REQUESTS ?? 500);
const downloadBytes = Number(process.env.BAILEY_BENCH_EGRESS_BYTES ?? 100 * 1024 * 1024);
const downloads = Number(process.env.BAILEY_BENCH_EGRESS_DOWNLOADS ?? 3);

export interface EgressLatencyRow {
  label: string;
  requests: number;
  medianMs: number;
  p95Ms: number;
  ratio: number;
}

export interface EgressThroughputRow {
  label: string;
  mibPerSecond: number;
  ratio: number;
}

/** Milliseconds from sending a GET to its last byte; the body is counted, not kept. */
function timedGet(agent: Agent, url: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    request(url, { agent }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.once("end", () => (response.statusCode === 200 ? resolve({ ms: performance.now() - start, bytes }) : reject(new Error(`${url}: HTTP ${response.statusCode}`))));
      response.once("error", reject);
    })
      .once("error", reject)
      .end();
  });
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

export async function benchEgressProxy(): Promise<{ latency: EgressLatencyRow[]; throughput: EgressThroughputRow[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-bench-egress-"));
  const upstream = await startTlsUpstream(["localhost"]);
  const token = randomBytes(32).toString("hex");
  const runCa = await createCertificateAuthority("bailey bench run");
  await writeFile(path.join(dir, "upstream-ca.pem"), upstream.caPem);
  await writeFile(
    path.join(dir, "egress-proxy.json"),
    JSON.stringify({
      token,
      caCertPem: runCa.certPem,
      caKeyPem: runCa.keyPem,
      grants: [{ name: "bench", hosts: ["localhost"], inject: { kind: "bearer" }, value: "bench-token" }],
      host: "127.0.0.1",
      port: 0,
    }),
  );
  const proxy = await startEgressProxyProcess({ configDir: dir, extraCaFile: path.join(dir, "upstream-ca.pem") });
  // One connection each, kept alive: the latency of a request, not of a handshake.
  const direct = new Agent({ keepAlive: true, maxSockets: 1, ca: [upstream.caPem] });
  const proxied = new ProxyTunnelAgent({ proxyHost: "127.0.0.1", proxyPort: proxy.port, token, keepAlive: true, maxSockets: 1, ca: [runCa.certPem] });
  const base = `https://localhost:${upstream.port}`;
  try {
    const cases = [
      { label: "direct to the upstream (baseline)", agent: direct as Agent },
      { label: "through the egress proxy (granted host: TLS terminated, credential injected)", agent: proxied as Agent },
    ];
    // Warm-up, then rounds of 50 in turn so both cases see the same machine.
    for (const { agent } of cases) for (let i = 0; i < 50; i++) await timedGet(agent, `${base}/small`);
    const samples = cases.map(() => [] as number[]);
    for (let done = 0; done < requests; done += 50) {
      for (const [index, { agent }] of cases.entries()) for (let i = 0; i < 50; i++) samples[index]!.push((await timedGet(agent, `${base}/small`)).ms);
    }
    const latency = cases.map(({ label }, index) => ({ label, requests: samples[index]!.length, medianMs: quantile(samples[index]!, 0.5), p95Ms: quantile(samples[index]!, 0.95), ratio: 0 }));
    for (const row of latency) row.ratio = row.medianMs / latency[0]!.medianMs;

    const rates = cases.map(() => [] as number[]);
    for (let i = 0; i < downloads + 1; i++) {
      for (const [index, { agent }] of cases.entries()) {
        const { ms, bytes } = await timedGet(agent, `${base}/bytes/${downloadBytes}`);
        if (bytes !== downloadBytes) throw new Error(`download got ${bytes} of ${downloadBytes} bytes`);
        if (i > 0) rates[index]!.push(bytes / 1024 ** 2 / (ms / 1000));
      }
    }
    const throughput = cases.map(({ label }, index) => ({ label: label.replace("(baseline)", `(baseline), ${downloadBytes / 1024 ** 2} MiB`), mibPerSecond: quantile(rates[index]!, 0.5), ratio: 0 }));
    for (const row of throughput) row.ratio = row.mibPerSecond / throughput[0]!.mibPerSecond;
    return { latency, throughput };
  } finally {
    direct.destroy();
    proxied.destroy();
    await proxy.stop();
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// Alone: node --import tsx bench/egress-proxy.ts
if (process.argv[1]?.endsWith("egress-proxy.ts")) {
  const { latency, throughput } = await benchEgressProxy();
  console.table(latency);
  console.table(throughput);
}
