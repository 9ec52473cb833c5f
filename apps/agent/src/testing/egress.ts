// Real pieces for egress proxy tests and the bench: an HTTPS upstream with a CA of its own that
// records what reaches it, and an https.Agent that goes through the proxy with CONNECT.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent, type AgentOptions, createServer, request as httpsRequest, type RequestOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { type Duplex, PassThrough } from "node:stream";
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from "node:tls";
import { CertificateAuthority, createCertificateAuthority } from "../egress/ca";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface TlsUpstream {
  host: string;
  port: number;
  /** The upstream's own CA (what BAILEY_EGRESS_EXTRA_CA_FILE would hold). */
  caPem: string;
  /** The upstream's server certificate, to compare with what a client saw. */
  certPem: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const chunk = Buffer.alloc(256 * 1024, 0x61);

/**
 * An HTTPS server on 127.0.0.1 whose certificate names `names` (DNS names or IPs), from a CA minted
 * here. GET /bytes/<n> streams n bytes; anything else answers 200 with the request as JSON.
 */
export async function startTlsUpstream(names: string[] = ["localhost", "127.0.0.1"], listenHost = "127.0.0.1"): Promise<TlsUpstream> {
  // A name of its own: OpenSSL finds an issuer by its name first.
  const ca = await createCertificateAuthority(`bailey test upstream CA ${randomBytes(4).toString("hex")}`);
  const authority = await CertificateAuthority.load(ca);
  const leaf = await authority.issueServerCertificates(names);
  const requests: RecordedRequest[] = [];
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem, keepAliveTimeout: 30_000 }, (request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    const bytes = /^\/bytes\/(\d+)$/.exec(request.url ?? "");
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
      pump();
      return;
    }
    request.resume();
    request.once("end", () => {
      const body = JSON.stringify({ method: request.method, url: request.url, headers: request.headers });
      response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
    });
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, listenHost);
  await once(server, "listening");
  return {
    host: listenHost,
    port: (server.address() as AddressInfo).port,
    caPem: ca.certPem,
    certPem: leaf.certPem,
    requests,
    connections: () => connections,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export class ProxyRefusedError extends Error {
  override name = "ProxyRefusedError";
  constructor(
    readonly statusCode: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`the proxy answered CONNECT with ${statusCode}: ${body.trim()}`);
  }
}

export interface ProxyTunnelOptions extends AgentOptions {
  proxyHost: string;
  proxyPort: number;
  /** Sent as the password of Proxy-Authorization: Basic; none sends no header. */
  token?: string;
}

/**
 * An https.Agent that reaches every origin through an HTTP proxy's CONNECT, as curl or Node with
 * HTTPS_PROXY would, then speaks TLS to the origin inside the tunnel (trusting `ca`).
 */
export class ProxyTunnelAgent extends Agent {
  constructor(private readonly proxy: ProxyTunnelOptions) {
    super(proxy);
  }

  override createConnection(options: RequestOptions & { servername?: string }, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const authority = `${options.host}:${options.port}`;
    const connect = httpRequest({
      host: this.proxy.proxyHost,
      port: this.proxy.proxyPort,
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...(this.proxy.token === undefined ? {} : { "proxy-authorization": `Basic ${Buffer.from(`bailey:${this.proxy.token}`).toString("base64")}` }) },
    });
    connect.once("connect", (response, socket: Socket, head: Buffer) => {
      if (response.statusCode !== 200) {
        const chunks = [head];
        socket.on("data", (data: Buffer) => chunks.push(data));
        socket.once("close", () => callback?.(new ProxyRefusedError(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString("utf8")), socket));
        return;
      }
      socket.setNoDelay(true);
      const servername = options.servername ?? (/^[\d.]+$|:/.test(String(options.host)) ? undefined : String(options.host));
      const secure = tlsConnect({ socket, host: String(options.host), ca: this.proxy.ca, ...(servername ? { servername } : {}), ALPNProtocols: ["http/1.1"] });
      callback?.(null, secure);
    });
    connect.once("error", (error) => callback?.(error, new PassThrough()));
    connect.end();
    return undefined;
  }
}

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The certificate the client was shown for the origin. */
  peerCertificate: PeerCertificate;
}

/** One HTTPS request with `agent`; the body read whole (tests only send small ones). */
export function httpsFetch(agent: Agent, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { agent, method: options.method ?? "GET", headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      const peerCertificate = (response.socket as TLSSocket).getPeerCertificate();
      response.on("data", (data: Buffer) => chunks.push(data));
      response.once("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8"), peerCertificate }));
      response.once("error", reject);
    });
    request.once("error", reject);
    request.end(options.body);
  });
}
