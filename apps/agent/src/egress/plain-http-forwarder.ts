import { Agent, type IncomingMessage, request as httpRequest, type ServerResponse } from "node:http";
import { endToEndHeaders, hostHeader } from "./hop-by-hop";

/**
 * Absolute-form requests (`GET http://host/path`) for hosts the policy lets through. They go on
 * as they are: a grant's credential is never added to plain HTTP, where anyone on the path could
 * read it; the run sees the upstream's answer (often a redirect to https, which then gets it).
 * Resolves with the body bytes each way once the exchange is over.
 */
export class PlainHttpForwarder {
  private readonly agent = new Agent({ keepAlive: true, scheduling: "lifo" });

  forward(request: IncomingMessage, response: ServerResponse, url: URL, port: number): Promise<{ bytesIn: number; bytesOut: number; error?: string }> {
    return new Promise((resolve) => {
      let bytesOut = 0;
      let bytesIn = 0;
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const headers = endToEndHeaders(request.headers);
      headers.host = hostHeader(host, port, 80);
      const outgoing = httpRequest({ host, port, method: request.method, path: `${url.pathname}${url.search}`, headers, agent: this.agent });
      request.on("data", (chunk: Buffer) => {
        bytesOut += chunk.length;
      });
      outgoing.once("response", (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEndHeaders(incoming.headers));
        incoming.on("data", (chunk: Buffer) => {
          bytesIn += chunk.length;
        });
        incoming.pipe(response);
        incoming.once("error", () => response.destroy());
      });
      outgoing.once("error", (error: NodeJS.ErrnoException) => {
        const reason = `cannot reach ${host}:${port} (${error.code ?? error.message})`;
        if (response.headersSent) response.destroy();
        else response.writeHead(502, { "content-type": "text/plain; charset=utf-8" }).end(`egress proxy: ${reason}\n`);
        resolve({ bytesIn, bytesOut, error: reason });
      });
      response.once("close", () => {
        if (!response.writableFinished) outgoing.destroy();
        resolve({ bytesIn, bytesOut });
      });
      request.pipe(outgoing);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
