import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

// Headers that describe one hop, not the message (RFC 9110 §7.6.1): each side of the proxy sets
// its own. Proxy-Authorization carries the run's token, which is for the proxy only.
const hopByHop = new Set(["connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listedInConnection = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || listedInConnection.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/** host:port as a Host header says it (the port left out when it is the scheme's default). */
export function hostHeader(host: string, port: number, defaultPort: number): string {
  const name = host.includes(":") ? `[${host}]` : host;
  return port === defaultPort ? name : `${name}:${port}`;
}
