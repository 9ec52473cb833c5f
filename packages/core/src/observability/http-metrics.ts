import type { IncomingMessage, ServerResponse } from "node:http";
import { Histogram } from "prom-client";
import { sharedMetric } from "./registry";

const requestDuration = () =>
  sharedMetric(
    "bailey_http_request_duration_seconds",
    (registers) =>
      new Histogram({
        name: "bailey_http_request_duration_seconds",
        help: "HTTP requests the dashboard server answered, by method, route pattern (ids as {id}) and status code.",
        labelNames: ["method", "route", "status"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
  );

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Deeper paths are cut here, so no client can mint new label values by adding segments. */
const maxSegments = 6;

/**
 * A request path as a bounded label: the query goes, a segment that looks like an id (a number,
 * 8+ characters with a digit, or long) becomes {id}, what follows `artifacts/` (file names) is {name}, Next's
 * static assets are one pattern, and a path nothing answered (404) is {unmatched} — otherwise a
 * scanner trying random URLs would add a series per URL.
 */
export function routePattern(url: string, status: number): string {
  if (status === 404) return "{unmatched}";
  const path = url.split("?")[0] ?? "/";
  if (path.startsWith("/_next/")) return "/_next/*";
  const segments = path.split("/").filter(Boolean);
  const out: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (index >= maxSegments) {
      out.push("*");
      break;
    }
    if (out.at(-1) === "artifacts") {
      out.push("{name}");
      break;
    }
    out.push(looksLikeId(segment) ? "{id}" : segment);
  }
  return `/${out.join("/")}`;
}

function looksLikeId(segment: string): boolean {
  return /^\d+$/.test(segment) || (segment.length >= 8 && /\d/.test(segment)) || segment.length > 24 || segment.includes("%");
}

/** Times one request from now until its response is finished (or the connection closes). */
export function observeHttpRequest(request: IncomingMessage, response: ServerResponse): void {
  const started = process.hrtime.bigint();
  let done = false;
  const record = () => {
    if (done) return;
    done = true;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const method = knownMethods.has(request.method ?? "") ? (request.method as string) : "OTHER";
    requestDuration().observe({ method, route: routePattern(request.url ?? "/", response.statusCode), status: String(response.statusCode) }, seconds);
  };
  response.once("finish", record);
  response.once("close", record);
}
