import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { CertificateAuthority } from "./ca";
import type { EgressConfig } from "./config";
import { type EgressEventSink, stdoutEvents } from "./events";
import { GrantedForwarder } from "./granted-forwarder";
import { normalizeHost } from "@bailey/protocol";
import { LeafCache } from "./leaf-cache";
import { PlainHttpForwarder } from "./plain-http-forwarder";
import { decideEgress } from "./policy";
import { proxyAuthenticateHeader, proxyAuthorized } from "./proxy-auth";
import { tunnel } from "./tunnel";
import { createUpstreamAgent } from "./upstream-agent";

export interface EgressProxyOptions {
  events?: EgressEventSink;
  /** PEM CA certificates trusted for upstreams besides the system's (tests). */
  extraCaFile?: string;
  /** Human-readable diagnostics; stdout is kept for events. */
  log?: (line: string) => void;
}

export interface EgressProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** host:port of a CONNECT, or undefined if it is not one. */
function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: normalizeHost(match[1]!), port };
}

function rawResponse(status: string, headers: Record<string, string>, body: string): string {
  const lines = Object.entries({ "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(Buffer.byteLength(body)), Connection: "close", ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `HTTP/1.1 ${status}\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

const authRequired = "egress proxy: this proxy needs the run's token: use the HTTPS_PROXY / HTTP_PROXY the run was given (http://bailey:<token>@…)\n";

/**
 * The run's egress proxy: CONNECT to a granted host is terminated and the credential injected,
 * CONNECT to a `network.allow` host is tunnelled, plain HTTP goes through for either, and
 * everything else is refused with a 403 that names the setting that would allow it.
 */
export async function startEgressProxy(config: EgressConfig, options: EgressProxyOptions = {}): Promise<EgressProxy> {
  const emit = options.events ?? stdoutEvents;
  const log = options.log ?? ((line: string) => console.error(`[egress-proxy] ${line}`));
  const authority = await CertificateAuthority.load({ certPem: config.caCertPem, keyPem: config.caKeyPem });
  const upstreamAgent = createUpstreamAgent(options.extraCaFile);
  const granted = new GrantedForwarder(new LeafCache(authority), upstreamAgent, log);
  const plain = new PlainHttpForwarder();
  const sockets = new Set<Socket>();

  const onConnect = async (request: IncomingMessage, client: Socket, head: Buffer) => {
    client.on("error", () => client.destroy());
    // Requests and answers go through in small writes (headers, then body): Nagle's algorithm
    // would hold each behind the peer's delayed ACK.
    client.setNoDelay(true);
    if (!proxyAuthorized(request.headers["proxy-authorization"], config.token)) {
      client.end(rawResponse("407 Proxy Authentication Required", { "Proxy-Authenticate": proxyAuthenticateHeader }, authRequired));
      return;
    }
    const target = parseAuthority(request.url ?? "");
    if (!target) {
      client.end(rawResponse("400 Bad Request", {}, `egress proxy: CONNECT needs host:port, got "${request.url}"\n`));
      return;
    }
    const { host, port } = target;
    const decision = decideEgress(config, host, port);
    if (decision.kind === "deny") {
      emit({ type: "egress.denied", host, port, reason: decision.reason });
      client.end(rawResponse("403 Forbidden", {}, `egress proxy: ${decision.reason}\n`));
      return;
    }
    if (decision.kind === "grant") await granted.accept(client, head, { host, port, grant: decision.grant });
    else {
      const result = await tunnel(client, head, host, port);
      if (!result.ok) log(`tunnel to ${host}:${port}: ${result.error}`);
    }
    emit({ type: "egress.allowed", host, port, via: decision.kind === "grant" ? decision.grant.name : "allow", bytesIn: client.bytesWritten, bytesOut: client.bytesRead });
  };

  const onRequest = async (request: IncomingMessage, response: ServerResponse) => {
    if (!proxyAuthorized(request.headers["proxy-authorization"], config.token)) {
      response.writeHead(407, { "proxy-authenticate": proxyAuthenticateHeader, "content-type": "text/plain; charset=utf-8" }).end(authRequired);
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(request.url ?? "");
    } catch {}
    if (url?.protocol !== "http:") {
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("egress proxy: send absolute http:// URLs here, and CONNECT for https\n");
      return;
    }
    const host = normalizeHost(url.hostname);
    const port = Number(url.port || 80);
    const decision = decideEgress(config, host, port);
    if (decision.kind === "deny") {
      emit({ type: "egress.denied", host, port, reason: decision.reason });
      response.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(`egress proxy: ${decision.reason}\n`);
      return;
    }
    const { bytesIn, bytesOut, error } = await plain.forward(request, response, url, port);
    if (error) log(`http://${host}:${port}: ${error}`);
    emit({ type: "egress.allowed", host, port, via: decision.kind === "grant" ? decision.grant.name : "allow", bytesIn, bytesOut });
  };

  // A failure in one connection ends that connection, never the proxy (and every other one with it).
  const server = createServer({ requestTimeout: 0 }, (request, response) =>
    onRequest(request, response).catch((error: Error) => {
      log(`request ${request.url}: ${error.message}`);
      response.destroy();
    }),
  );
  server.on("connect", (request: IncomingMessage, client: Socket, head: Buffer) =>
    onConnect(request, client, head).catch((error: Error) => {
      log(`CONNECT ${request.url}: ${error.message}`);
      client.destroy();
    }),
  );
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  server.listen(config.port, config.host);
  try {
    await once(server, "listening");
  } catch (error) {
    upstreamAgent.destroy();
    plain.close();
    throw new Error(`the egress proxy cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const { port } = server.address() as AddressInfo;
  emit({ type: "egress.listening", host: config.host, port });
  return {
    host: config.host,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      granted.close();
      plain.close();
      upstreamAgent.destroy();
      await closed;
    },
  };
}
