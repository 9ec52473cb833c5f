import { NextResponse } from "next/server";
import { serverEnv } from "~/env";

/** A year, without includeSubDomains: Bailey's host says nothing about its siblings' TLS. */
export const strictTransportSecurity = "max-age=31536000";

/**
 * HSTS depends on the public URL, which is known only at run time (next.config's headers are
 * fixed at build time). Browsers ignore it over plain http, so it follows NEXTAUTH_URL, not the
 * transport of the request (TLS usually ends at a proxy in front of Bailey).
 */
export function proxy(): NextResponse {
  const response = NextResponse.next();
  if (new URL(serverEnv().NEXTAUTH_URL).protocol === "https:") response.headers.set("Strict-Transport-Security", strictTransportSecurity);
  return response;
}

// Pages only: a browser learns HSTS for the whole host from the first page it loads, and Next
// buffers the body of every request a proxy sees, which would defeat the API's streaming
// 413 for oversized bodies (and its stream responses gain nothing from passing through here).
export const config = { matcher: ["/((?!api/|_next/).*)"] };
