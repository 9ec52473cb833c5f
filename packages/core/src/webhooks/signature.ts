import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Standard Webhooks (https://www.standardwebhooks.com) style: the receiver's libraries for it
// verify Bailey's requests, and so does verifyWebhookSignature below.

const secretPrefix = "whsec_";

/** A new endpoint secret: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString("base64url")}`;
}

/** The HMAC key a secret stands for: the bytes after `whsec_` (base64url or base64 both read). */
function secretKey(secret: string): Buffer {
  if (!secret.startsWith(secretPrefix)) throw new WebhookVerificationError("The secret should start with whsec_ (copy it as shown when the endpoint was created or rotated).");
  const key = Buffer.from(secret.slice(secretPrefix.length).replace(/\+/g, "-").replace(/\//g, "_"), "base64url");
  if (key.length < 16) throw new WebhookVerificationError("The secret is too short: copy the whole whsec_… value.");
  return key;
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, the `webhook-signature` header's value. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

/** The headers of one request for an event: its id, the instant it was signed, and the signature. */
export function webhookHeaders(secret: string, id: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Bailey-Webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, body),
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * For receivers: checks a request Bailey sent. `body` must be the raw bytes received (not
 * re-serialised JSON). Throws WebhookVerificationError saying why when the signature does not
 * match or the timestamp is outside the replay window (±toleranceSeconds, 300 by default);
 * returns the event id, which is the receiver's key for dropping a repeated delivery.
 */
export function verifyWebhookSignature(secret: string, headers: HeaderBag, body: string | Buffer, options: { toleranceSeconds?: number; now?: Date } = {}): { id: string; timestamp: number } {
  const id = header(headers, "webhook-id");
  const timestampText = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestampText || !signatures) throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header.");
  const timestamp = Number(timestampText);
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp)) throw new WebhookVerificationError(`webhook-timestamp is not unix seconds: ${timestampText.slice(0, 40)}`);
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is ${now - timestamp} s from now, outside the ${tolerance} s window: refused as a possible replay.`);
  }
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice("v1,".length), "base64");
  // Several space-separated signatures may be sent (e.g. while a secret is rotated): any one will do.
  for (const candidate of signatures.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp };
  }
  throw new WebhookVerificationError("No webhook-signature matches this body with this secret (a changed body, another endpoint's secret, or an old secret after a rotation).");
}
