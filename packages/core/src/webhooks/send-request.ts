import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { refusedAddress } from "./webhook-url";

export const defaultWebhookTimeoutMs = 10_000;
const snippetBytes = 1024;

export interface WebhookResponse {
  statusCode: number | null;
  /** Why no answer came (refused address, connection error, timeout); null when one came. */
  error: string | null;
  /** The answer's first KiB, for the delivery log. */
  snippet: string | null;
  durationMs: number;
}

/**
 * Checks every address a name resolves to when connecting, not only when the endpoint was
 * saved: a name that later resolves to a metadata address (DNS rebinding) is refused here.
 */
function guardedLookup(protocol: "http:" | "https:"): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.map((entry) => refusedAddress(entry.address, protocol)).find((why) => why !== null);
      if (refused) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${refused}`), { code: "EREFUSEDADDRESS" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** POSTs one signed body; the whole exchange (connect, send, answer) is cut off after timeoutMs. Never throws. */
export function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs = defaultWebhookTimeoutMs): Promise<WebhookResponse> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<WebhookResponse, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Date.now() - started });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return finish({ statusCode: null, error: "the endpoint's URL does not parse", snippet: null });
    }
    const protocol = target.protocol === "https:" ? "https:" : "http:";
    const request = (protocol === "https:" ? https : http).request(target, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: guardedLookup(protocol),
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ statusCode: null, error: `no answer within ${Math.round(timeoutMs / 1000)} s (timed out)`, snippet: null });
    }, timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ statusCode: null, error: error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message, snippet: null }),
    );
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        response.destroy();
        finish({ statusCode: response.statusCode ?? null, error: null, snippet: Buffer.concat(chunks).subarray(0, snippetBytes).toString("utf8") || null });
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= snippetBytes) done();
      });
      response.on("end", done);
      response.on("error", done);
    });
    request.end(body);
  });
}
