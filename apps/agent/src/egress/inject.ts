import type { OutgoingHttpHeaders } from "node:http";
import type { Grant } from "./config";

/** The header a grant sets, lower-case, or undefined for a query parameter. */
function headerOf(grant: Grant): string | undefined {
  switch (grant.inject.kind) {
    case "bearer":
    case "basic":
      return "authorization";
    case "header":
      return grant.inject.header.toLowerCase();
    case "query":
      return undefined;
  }
}

/**
 * Puts the grant's credential into a request bound for a granted host. Whatever the client sent
 * under the same header or query parameter is replaced, never merged: the run holds no real
 * value, and a placeholder it sends must not reach the upstream beside ours.
 */
export function injectCredential(grant: Grant, path: string, headers: OutgoingHttpHeaders): string {
  const { inject, value } = grant;
  const header = headerOf(grant);
  if (header) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === header) delete headers[name];
    headers[header] = inject.kind === "bearer" ? `Bearer ${value}` : inject.kind === "basic" ? `Basic ${Buffer.from(`${inject.username}:${value}`).toString("base64")}` : value;
    return path;
  }
  if (inject.kind !== "query") return path;
  const url = new URL(path, "http://upstream.invalid");
  url.searchParams.delete(inject.param);
  url.searchParams.append(inject.param, value);
  return `${url.pathname}${url.search}`;
}
