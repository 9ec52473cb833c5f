import { isIP } from "node:net";
import { AppError } from "../errors";

export const maxWebhookUrlLength = 2048;

// Names that reach a cloud's instance metadata service (credentials live there): never a receiver.
const metadataNames = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

/** What kind of address `address` (an IP literal) is, for the rules below. */
export function addressKind(address: string): "loopback" | "private" | "link-local" | "unroutable" | "public" {
  const plain = address.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain)?.[1];
  if (mapped) return addressKind(mapped);
  if (isIP(plain) === 4) {
    const [a = 0, b = 0] = plain.split(".").map(Number);
    if (a === 127) return "loopback";
    if (a === 169 && b === 254) return "link-local";
    if (a === 0 || a >= 224) return "unroutable";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return "private";
    return "public";
  }
  if (isIP(plain) === 6) {
    if (plain === "::1") return "loopback";
    if (plain === "::" || plain.startsWith("ff")) return "unroutable";
    if (/^fe[89ab]/.test(plain)) return "link-local";
    if (/^f[cd]/.test(plain)) return "private";
    // AWS's IPv6 metadata address sits in a unique-local range; the rule above covers it.
    return "public";
  }
  return "public";
}

/** Why a resolved address may not receive a webhook, or null when it may (checked again when sending: DNS can change). */
export function refusedAddress(address: string, protocol: "http:" | "https:"): string | null {
  const kind = addressKind(address);
  if (kind === "link-local") return `${address} is a link-local address (cloud metadata services live there)`;
  if (kind === "unroutable") return `${address} is not a unicast address`;
  if (protocol === "http:" && kind === "public") return `${address} is a public address, and plain http is only for loopback and private addresses`;
  return null;
}

/**
 * An endpoint URL as stored: https to any host but link-local and metadata addresses; plain
 * http only to loopback or private address literals (and `localhost`), for receivers on the
 * same machine or network where TLS is not set up. No credentials in the URL: they would be
 * shown on the Webhooks page to every member.
 */
export function parseWebhookUrl(input: string): string {
  const text = input.trim();
  const refuse = (why: string) => new AppError("BAD_REQUEST", `Bailey cannot send webhooks to ${JSON.stringify(text.slice(0, 200))}: ${why}`);
  if (text.length > maxWebhookUrlLength) throw refuse(`shorten the URL to ${maxWebhookUrlLength} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse("it is not a URL. Example: https://ci.example.com/bailey-webhook");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("use an https:// URL.");
  if (url.username || url.password) throw refuse("leave credentials out of the URL; verify the webhook-signature header instead.");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (metadataNames.has(host) || host.endsWith(".internal.metadata")) throw refuse(`${host} is a cloud metadata service.`);
  const literal = isIP(host) !== 0;
  if (literal) {
    const why = refusedAddress(host, url.protocol);
    if (why) throw refuse(`${why}. ${url.protocol === "http:" ? "Use https://." : ""}`.trim());
  } else if (url.protocol === "http:" && host !== "localhost") {
    throw refuse("plain http is only for loopback and private IP addresses (e.g. http://127.0.0.1:8080/hook); use https:// for a named host.");
  }
  url.hash = "";
  return url.toString();
}
