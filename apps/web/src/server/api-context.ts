import type { Context } from "@bailey/api";
import { currentUser } from "~/server/auth";
import { hostConnections } from "~/server/connections";
import { auditSigningKey } from "~/server/audit-signing-key";
import { blobStore } from "~/server/blob-store";
import { authenticateBearer, bearerToken } from "~/server/bearer-token";
import { db } from "~/server/db";
import { installCommandFor } from "~/server/host-install";

/**
 * The procedures' context for /api/trpc and /api/v1 alike: an API token when one is sent
 * (it acts for its own team, with its scopes), else the dashboard session.
 */
export async function createApiContext(request: Request): Promise<Context> {
  const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
  const base = {
    prisma: db(),
    connections: hostConnections(),
    blobs: blobStore(),
    installCommand: installCommandFor,
    auditSigningKey,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
  const bearer = bearerToken(request);
  if (bearer) return { ...base, user: null, token: await authenticateBearer(db(), bearer) };
  const teamId = request.headers.get("x-bailey-team");
  return { ...base, user: await currentUser(), ...(teamId ? { teamId } : {}) };
}
