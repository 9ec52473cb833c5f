import type { BlockList } from "node:net";
import { blockedForSeconds, signInKeys, type SignInThrottlePolicy, defaultSignInThrottlePolicy } from "@bailey/core";
import { serverEnv } from "~/env";
import { tooManyAttemptsError } from "~/lib/too-many-attempts";
import { clientAddress, parseTrustedProxies } from "./client-address";
import { db } from "./db";

let trusted: BlockList | undefined;
export const trustedProxies = (): BlockList => (trusted ??= parseTrustedProxies(serverEnv().BAILEY_TRUSTED_PROXIES));

export function signInPolicy(): SignInThrottlePolicy {
  const env = serverEnv();
  return {
    ...defaultSignInThrottlePolicy,
    accountFailures: env.BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES,
    addressFailures: env.BAILEY_SIGNIN_MAX_ADDRESS_FAILURES,
    blockSeconds: env.BAILEY_SIGNIN_BLOCK_SECONDS,
  };
}

export const signInAddress = (headers: Headers | Record<string, string | string[] | undefined>) => clientAddress(headers, trustedProxies());

/** How long the address or the account must still wait; 0 when a sign-in may be tried. Hashes nothing. */
export function credentialsBlockedFor(headers: Headers, email: string): Promise<number> {
  const keys = signInKeys(signInPolicy(), email, signInAddress(headers));
  return blockedForSeconds(db(), [keys.address.key, keys.account.key]);
}

/** A 429 the sign-in form understands (next-auth's client reads `url`), with Retry-After for everyone else. */
export function tooManyAttempts(retryAfterSeconds: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  const url = new URL("/signin", serverEnv().NEXTAUTH_URL);
  url.searchParams.set("error", tooManyAttemptsError(seconds));
  return Response.json(
    { error: `Too many sign-in attempts: try again in ${seconds} s.`, retryAfterSeconds: seconds, url: url.toString() },
    { status: 429, headers: { "Retry-After": String(seconds), "Cache-Control": "no-store" } },
  );
}
