import { AppError, type AuthenticatedToken, apiTokenAuthCache } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";

/** The request's `Authorization: Bearer` token, if it sent one. */
export const bearerToken = (request: Request): string | undefined => /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];

/**
 * The sent token's principal, verified at most once a second per token on this process (revocation
 * still bites within it); unknown, revoked or expired tokens are refused. Used by Next's API
 * context and the web server's fast path alike, so it imports nothing of Next's.
 */
export async function authenticateBearer(prisma: PrismaClient, token: string): Promise<AuthenticatedToken> {
  const principal = await apiTokenAuthCache.authenticate({ prisma, token });
  if (!principal) throw new AppError("UNAUTHORIZED", "This API token is unknown, revoked or expired.");
  return principal;
}
