import { isIP } from "node:net";

// A host pattern names hosts, not services: `api.example.com` is that host on any port, and
// `api.example.com:8443` narrows it to one port. A port adds no real exposure the host does not
// already have (whatever may reach it on 443 can send the same bytes elsewhere), so the default
// is any port and a narrower pattern is there for those who want it.
// `*.example.com` matches one or more labels before example.com (a.example.com, a.b.example.com),
// never example.com itself. Names compare case-insensitively, without a trailing dot.
// IP literals (`10.0.0.5`, `[::1]`) match only themselves; a wildcard never matches an address.

export interface HostPattern {
  /** What the user wrote, for messages. */
  source: string;
  /** Lower-case host without brackets; for a wildcard, the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  port?: number;
}

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export class HostPatternError extends Error {
  override name = "HostPatternError";
}

/** Lower-case, no trailing dot, no IPv6 brackets: the form patterns and targets are compared in. */
export function normalizeHost(host: string): string {
  const trimmed = host.trim().toLowerCase().replace(/\.$/, "");
  return trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
}

function isHostName(host: string): boolean {
  return host.length <= 253 && host.split(".").every((part) => label.test(part));
}

export function parseHostPattern(source: string): HostPattern {
  const example = "Examples: api.example.com, *.example.com, api.example.com:8443";
  let rest = source.trim().toLowerCase();
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(rest) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(rest);
    if (withPort) {
      rest = withPort[1]!;
      port = Number(withPort[2]);
    }
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new HostPatternError(`"${source}": the port must be 1..65535. ${example}`);
  rest = rest.replace(/\.$/, "");
  const wildcard = rest.startsWith("*.");
  const host = wildcard ? rest.slice(2) : rest;
  if (wildcard && (isIP(host) || !host.includes(".")))
    throw new HostPatternError(`"${source}": a wildcard needs a domain of at least two labels after "*." (*.example.com, not *.com or *.10.0.0.1). ${example}`);
  if (!isIP(host) && !isHostName(host)) throw new HostPatternError(`"${source}" is not a host name, "*." followed by a domain, or an IP address. ${example}`);
  return { source, host, wildcard, ...(port === undefined ? {} : { port }) };
}

export function matchesHost(pattern: HostPattern, host: string, port: number): boolean {
  if (pattern.port !== undefined && pattern.port !== port) return false;
  const target = normalizeHost(host);
  if (!pattern.wildcard) return target === pattern.host;
  return !isIP(target) && target.endsWith(`.${pattern.host}`);
}
