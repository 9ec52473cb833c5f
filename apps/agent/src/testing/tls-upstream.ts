// A real HTTPS upstream in a container, for tests of runs' egress: the proxy (or a run) reaches it
// by a DNS name on a network the caller made. It runs `node -e` in the egress proxy image (the
// only local image with node), with a certificate for its aliases from a CA made here.
import { randomBytes } from "node:crypto";
import type { Runtime } from "@bailey/runtime";
import { CertificateAuthority, createCertificateAuthority } from "../egress/ca";

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface ContainerTlsUpstream {
  containerId: string;
  /** Its address on the caller's network. */
  ip: string;
  port: number;
  /** The CA its certificate is from (what BAILEY_EGRESS_EXTRA_CA_FILE would hold). */
  caPem: string;
  /** Every request it answered so far, in order (read back from its stdout). */
  requests(): Promise<UpstreamRequest[]>;
  /** Removes the container. */
  stop(): Promise<void>;
}

export interface StartTlsUpstreamOptions {
  runtime: Runtime;
  /** An image with node in PATH: the egress proxy image (ensureEgressProxyImage). */
  image: string;
  /** A user-defined network, where the engine's DNS answers for the aliases. */
  network: string;
  /** DNS names it answers as, e.g. `api.upstream.test`; its certificate names all of them. */
  aliases: string[];
  /** Default 443, the port an `https://` URL without one reaches. */
  port?: number;
  name?: string;
  labels?: Record<string, string>;
}

// Each request is one JSON line on stdout; GET /bytes/<n> streams n bytes (benchmarks), anything
// else gets 200 with a small JSON body. The first line says where it listens.
const serverScript = `
const https = require("node:https");
const os = require("node:os");
const chunk = Buffer.alloc(256 * 1024, 0x61);
const server = https.createServer({ cert: process.env.UPSTREAM_CERT, key: process.env.UPSTREAM_KEY, keepAliveTimeout: 30000 }, (request, response) => {
  const headers = {};
  for (const [key, value] of Object.entries(request.headers)) headers[key] = Array.isArray(value) ? value.join(", ") : String(value);
  process.stdout.write(JSON.stringify({ type: "upstream.request", method: request.method, url: request.url, headers }) + "\\n");
  const bytes = /^\\/bytes\\/(\\d+)$/.exec(request.url || "");
  if (bytes) {
    let left = Number(bytes[1]);
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(left) });
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!response.write(piece)) return void response.once("drain", pump);
      }
      response.end();
    };
    return pump();
  }
  request.resume();
  request.once("end", () => {
    const body = JSON.stringify({ ok: true, method: request.method, url: request.url });
    response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
  });
});
server.listen(Number(process.env.UPSTREAM_PORT), "0.0.0.0", () => {
  const addresses = Object.values(os.networkInterfaces()).flat().filter((item) => item && item.family === "IPv4" && !item.internal).map((item) => item.address);
  process.stdout.write(JSON.stringify({ type: "upstream.listening", addresses, port: server.address().port }) + "\\n");
});
process.once("SIGTERM", () => process.exit(0));
`;

const readyTimeoutMs = 30_000;

/** Starts the upstream and resolves once it listens; removes the container if it does not. */
export async function startTlsUpstream(options: StartTlsUpstreamOptions): Promise<ContainerTlsUpstream> {
  const { runtime, aliases } = options;
  if (aliases.length === 0) throw new Error("startTlsUpstream needs at least one alias: a DNS name its certificate is for, e.g. api.upstream.test.");
  const port = options.port ?? 443;
  // A name of its own: OpenSSL finds an issuer by its name first.
  const ca = await createCertificateAuthority(`bailey test upstream CA ${randomBytes(4).toString("hex")}`);
  const leaf = await (await CertificateAuthority.load(ca)).issueServerCertificates(aliases);
  const containerId = await runtime.createContainer({
    name: options.name ?? `bailey-test-upstream-${randomBytes(4).toString("hex")}`,
    image: options.image,
    command: ["node", "-e", serverScript],
    env: { UPSTREAM_CERT: leaf.certPem, UPSTREAM_KEY: leaf.keyPem, UPSTREAM_PORT: String(port) },
    labels: { "bailey.test": "tls-upstream", ...options.labels },
    hostname: aliases[0]!,
    networkAliases: aliases.slice(1),
    network: options.network,
    sandbox: "none",
  });
  const stop = () => runtime.removeContainer(containerId);
  try {
    await runtime.startContainer(containerId);
    const listening = await waitForListening(runtime, containerId);
    const ip = listening.addresses[0];
    if (!ip) throw new Error(`the TLS upstream has no IPv4 address on ${options.network}`);
    return {
      containerId,
      ip,
      port: listening.port,
      caPem: ca.certPem,
      requests: async () =>
        (await stdoutRecords(runtime, containerId)).filter((record) => record.type === "upstream.request").map(({ method, url, headers }) => ({ method, url, headers }) as UpstreamRequest),
      stop,
    };
  } catch (error) {
    const output = await stdoutText(runtime, containerId, true).catch(() => "(no logs)");
    await stop();
    throw new Error(`The TLS upstream container did not start: ${(error as Error).message}\n${output}`);
  }
}

interface ListeningRecord {
  addresses: string[];
  port: number;
}

async function waitForListening(runtime: Runtime, id: string): Promise<ListeningRecord> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    const record = (await stdoutRecords(runtime, id)).find((item) => item.type === "upstream.listening");
    if (record) return record as unknown as ListeningRecord;
    const info = await runtime.inspectContainer(id);
    if (!info.running) throw new Error(`it exited with ${info.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`it printed no upstream.listening line within ${readyTimeoutMs / 1000} s`);
}

async function stdoutRecords(runtime: Runtime, id: string): Promise<Array<Record<string, unknown> & UpstreamRequest>> {
  return (await stdoutText(runtime, id, false))
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

async function stdoutText(runtime: Runtime, id: string, withStderr: boolean): Promise<string> {
  let text = "";
  for await (const chunk of await runtime.logs(id)) if (chunk.stream === "stdout" || withStderr) text += chunk.data.toString("utf8");
  return text;
}
