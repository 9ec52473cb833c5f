import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Agent, request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { Grant } from "./config";
import { endToEndHeaders, hostHeader } from "./hop-by-hop";
import { injectCredential } from "./inject";
import type { LeafCache } from "./leaf-cache";
import { withHead } from "./with-head";

interface Target {
  host: string;
  port: number;
  grant: Grant;
}

// Error codes Node gives when an upstream's certificate does not verify.
const certificateErrors = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/;

/**
 * A granted host's side of a CONNECT: the proxy answers the run's TLS with a certificate from the
 * run's CA, reads each HTTP/1.1 request, adds the grant's credential and sends it on to the real
 * host over verified TLS. Bodies stream both ways; nothing is held in memory beyond socket buffers.
 */
export class GrantedForwarder {
  private readonly server: Server;
  private readonly targets = new WeakMap<Socket, Target>();

  constructor(
    private readonly leaves: LeafCache,
    private readonly upstreamAgent: Agent,
    private readonly log: (line: string) => void,
  ) {
    // No request timeout: how long a run's upload or download takes is the run's business.
    this.server = createServer({ requestTimeout: 0 }, (request, response) => this.forward(request, response));
    this.server.on("clientError", (_error, socket) => socket.destroy());
  }

  /** Takes over `client` after the proxy accepted its CONNECT; resolves once it has closed. */
  async accept(client: Socket, head: Buffer, target: Target): Promise<void> {
    let secureContext: Awaited<ReturnType<LeafCache["secureContextFor"]>>;
    try {
      secureContext = await this.leaves.secureContextFor(target.host);
    } catch (error) {
      this.log(`cannot mint a certificate for ${target.host}: ${(error as Error).message}`);
      client.end("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\negress proxy: could not make a certificate for this host\n");
      return;
    }
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    const tls = new TLSSocket(head.length ? withHead(client, head) : client, { isServer: true, secureContext, ALPNProtocols: ["http/1.1"] });
    tls.once("error", () => tls.destroy());
    tls.once("close", () => client.destroy());
    this.targets.set(tls as Socket, target);
    this.server.emit("connection", tls);
    await closed;
  }

  private forward(request: IncomingMessage, response: ServerResponse): void {
    const target = this.targets.get(request.socket);
    if (!target) {
      response.writeHead(500).end();
      return;
    }
    const { host, port, grant } = target;
    const headers = endToEndHeaders(request.headers);
    // The CONNECT target is where the request goes, whatever Host the run put in it.
    headers.host = hostHeader(host, port, 443);
    const path = injectCredential(grant, request.url ?? "/", headers);
    const outgoing = httpsRequest({ host, port, servername: isIP(host) ? "" : host, method: request.method, path, headers, agent: this.upstreamAgent });
    outgoing.once("response", (incoming) => {
      response.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEndHeaders(incoming.headers));
      incoming.pipe(response);
      incoming.once("error", () => response.destroy());
    });
    outgoing.once("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      const reason = certificateErrors.test(code)
        ? `the certificate of ${host}:${port} did not verify (${code}: ${error.message}). The proxy only sends a grant's credential to a host it can verify; it does not fall back to an unverified connection. If the host uses a private CA, the agent's BAILEY_EGRESS_EXTRA_CA_FILE must include it.`
        : `cannot reach ${host}:${port} (${code || error.message}${code ? `: ${error.message}` : ""})`;
      this.log(`grant ${grant.name}: ${reason}`);
      if (response.headersSent) response.destroy();
      else response.writeHead(502, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`egress proxy: ${reason}\n`);
    });
    // The run hanging up mid-request abandons the upstream request too.
    response.once("close", () => {
      if (!response.writableFinished) outgoing.destroy();
    });
    request.pipe(outgoing);
  }

  close(): void {
    this.server.close();
  }
}
