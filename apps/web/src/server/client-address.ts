import { BlockList, isIP } from "node:net";

/** The header the launcher's preload (launcher/peer-address.cjs) sets from the socket on every request. */
export const peerAddressHeader = "x-bailey-peer-address";

/**
 * BAILEY_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges of the reverse proxies in front
 * of Bailey. Throws naming the entry that is neither.
 */
export function parseTrustedProxies(value: string | undefined): BlockList {
  const trusted = new BlockList();
  for (const entry of (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address ?? "");
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits))) {
      throw new Error(`BAILEY_TRUSTED_PROXIES: ${JSON.stringify(entry)} is not an IP address or CIDR range. Example: BAILEY_TRUSTED_PROXIES=10.0.0.0/8,127.0.0.1`);
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) trusted.addAddress(address!, type);
    else trusted.addSubnet(address!, bits, type);
  }
  return trusted;
}

// "::ffff:10.0.0.1" is how a dual-stack socket reports an IPv4 client.
const normalize = (address: string) => {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed.toLowerCase();
};

const isTrusted = (trusted: BlockList, address: string) => {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
};

type HeaderSource = Headers | Record<string, string | string[] | undefined>;
const read = (headers: HeaderSource, name: string): string | undefined => {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? undefined);
};

/**
 * The address a sign-in attempt is counted against. The socket's peer, unless it is a trusted
 * proxy: then X-Forwarded-For is read from the right, skipping trusted proxies, and the first
 * address no trusted proxy vouches for is the client. Without the launcher's header (Bailey run by
 * plain `next start`), X-Forwarded-For as Next.js left it is all there is: its right-most entry
 * past trusted proxies.
 */
export function clientAddress(headers: HeaderSource, trusted: BlockList): string {
  const peer = read(headers, peerAddressHeader);
  const forwarded = (read(headers, "x-forwarded-for") ?? "").split(",").map(normalize).filter(Boolean);
  const chain = peer ? [...forwarded, normalize(peer)] : forwarded;
  if (peer && !isTrusted(trusted, normalize(peer))) return normalize(peer);
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    if (!isTrusted(trusted, chain[index]!)) return chain[index]!;
  }
  return chain[0] ?? "unknown";
}
