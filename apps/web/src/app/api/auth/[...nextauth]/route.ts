import NextAuth from "next-auth";
import { authOptions } from "~/server/auth";
import { throttledSeconds } from "~/lib/too-many-attempts";
import { credentialsBlockedFor, tooManyAttempts } from "~/server/sign-in-throttle";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

function nextAuth(request: Request, context: RouteContext) {
  return (NextAuth(authOptions()) as (request: Request, context: RouteContext) => Promise<Response>)(request, context);
}

/**
 * Email and password sign-in is throttled here, around next-auth, because next-auth answers a
 * refused sign-in with its own redirect: a blocked address or account gets a real 429 with
 * Retry-After before next-auth (and any password hashing) runs.
 */
async function handler(request: Request, context: RouteContext) {
  const [action, provider] = (await context.params).nextauth;
  if (request.method !== "POST" || action !== "callback" || provider !== "credentials") return nextAuth(request, context);

  const form = await request
    .clone()
    .formData()
    .catch(() => undefined);
  const blockedFor = await credentialsBlockedFor(request.headers, String(form?.get("email") ?? ""));
  if (blockedFor > 0) return tooManyAttempts(blockedFor);

  const response = await nextAuth(request, context);
  // Blocked between the check above and authorize (an attempt on another replica): authorize refused it unhashed.
  const target = response.headers.get("location") ?? (response.headers.get("content-type")?.includes("json") ? ((await response.clone().json()) as { url?: string }).url : undefined);
  const seconds = target ? throttledSeconds(new URL(target, "http://bailey.invalid").searchParams.get("error")) : undefined;
  return seconds === undefined ? response : tooManyAttempts(seconds);
}

export { handler as GET, handler as POST };
