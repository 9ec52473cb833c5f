import { createHash, timingSafeEqual } from "node:crypto";

// Callers prove they are the run with the per-run token as the password of
// `Proxy-Authorization: Basic` (HTTPS_PROXY=http://bailey:<token>@proxy:3128); the user name is
// not checked. The comparison is over SHA-256 digests, so it takes the same time whatever the
// length or content of what was sent.

export const proxyAuthenticateHeader = 'Basic realm="bailey-egress"';

export function proxyAuthorized(header: string | undefined, token: string): boolean {
  const match = /^basic\s+([a-z0-9+/=]+)\s*$/i.exec(header ?? "");
  const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const sent = colon === -1 ? "" : decoded.slice(colon + 1);
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(sent), digest(token)) && match !== null && colon !== -1;
}
