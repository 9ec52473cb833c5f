import type { PrismaClient, Role } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { isTokenScope, tokenScopes, type TokenScope } from "./scopes";
import { apiTokenAuthCache } from "./token-auth-cache";
import { mintToken, parseToken, tokenMatches } from "./token-format";

export interface CreateApiTokenOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  name: string;
  scopes: string[];
  /** Omitted: in {@link defaultTokenLifetimeDays} days. A token that never expires is asked for by name. */
  expiresAt?: Date | "never";
}

/** A token nobody chose a lifetime for stops working after this many days. */
export const defaultTokenLifetimeDays = 90;

/** Creates a token; the returned secret is never stored and cannot be shown again. */
export async function createApiToken({ prisma, ctx, name, scopes, expiresAt }: CreateApiTokenOptions) {
  requireRole(ctx, "member");
  const unknown = scopes.filter((scope) => !isTokenScope(scope));
  if (unknown.length || scopes.length === 0) {
    throw new AppError("BAD_REQUEST", `Choose scopes from ${tokenScopes.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}.`);
  }
  if (!name.trim() || name.length > 100) throw new AppError("BAD_REQUEST", "Give the token a name of 1 to 100 characters.");
  if (expiresAt instanceof Date && expiresAt.getTime() <= Date.now()) throw new AppError("BAD_REQUEST", "The expiry must be in the future.");
  const expiry = expiresAt === "never" ? null : (expiresAt ?? new Date(Date.now() + defaultTokenLifetimeDays * 86_400_000));
  const minted = mintToken();
  const record = await prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { teamId: ctx.teamId, createdById: ctx.actor.userId, name: name.trim(), prefix: minted.prefix, secretHash: minted.secretHash, scopes, expiresAt: expiry },
      select: { id: true, name: true, prefix: true, scopes: true, expiresAt: true, createdAt: true },
    });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "token.created",
      targetType: "api_token",
      targetId: created.id,
      data: { name: created.name, scopes, expiresAt: expiry?.toISOString() ?? "never" },
    });
    return created;
  });
  return { token: minted.token, apiToken: record };
}

export interface AuthenticatedToken {
  tokenId: string;
  teamId: string;
  userId: string;
  role: Role;
  scopes: TokenScope[];
  /** The token's team as of the lookup (cached with it, so a request needs no query for it). */
  team: { id: string; name: string; slug: string };
  /** null: never. A cached principal is refused from this moment without asking the database. */
  expiresAt: Date | null;
}

const lastUsedResolutionMs = 60_000;

/** Resolves a bearer token, or null when it is malformed, unknown, revoked or expired. */
export async function authenticateApiToken({ prisma, token, now = new Date() }: { prisma: PrismaClient; token: string; now?: Date }): Promise<AuthenticatedToken | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const record = await prisma.apiToken.findUnique({ where: { prefix: parsed.prefix } });
  if (!record || !tokenMatches(token, record.secretHash)) return null;
  if (record.revokedAt || (record.expiresAt && record.expiresAt <= now)) return null;
  // The token acts with its creator's current role, never more.
  const membership = await prisma.membership.findUnique({
    where: { teamId_userId: { teamId: record.teamId, userId: record.createdById } },
    include: { team: { select: { id: true, name: true, slug: true } } },
  });
  if (!membership) return null;
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > lastUsedResolutionMs) {
    await prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: now } });
  }
  return {
    tokenId: record.id,
    teamId: record.teamId,
    userId: record.createdById,
    role: membership.role,
    scopes: record.scopes.filter(isTokenScope),
    team: membership.team,
    expiresAt: record.expiresAt,
  };
}

export function requireScope(token: Pick<AuthenticatedToken, "scopes">, scope: TokenScope): void {
  if (!token.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This token lacks the ${scope} scope; create one that has it.`);
}

export async function listApiTokens({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  return prisma.apiToken.findMany({
    where: teamScope(ctx),
    orderBy: { createdAt: "desc" },
    select: tokenView,
  });
}

const tokenView = { id: true, name: true, prefix: true, scopes: true, expiresAt: true, lastUsedAt: true, revokedAt: true, createdAt: true, createdById: true } as const;

/** Members revoke their own tokens; admins and owners any of the team's. The hash never leaves. */
export async function revokeApiToken({ prisma, ctx, tokenId }: { prisma: PrismaClient; ctx: TeamContext; tokenId: string }) {
  requireRole(ctx, "member");
  const token = await prisma.apiToken.findFirst({ where: teamScope(ctx, { id: tokenId }), select: tokenView });
  if (!token) throw AppError.notFound("API token");
  if (token.createdById !== ctx.actor.userId && ctx.role !== "admin" && ctx.role !== "owner") {
    throw new AppError("FORBIDDEN", "This token belongs to another member: only they or a team admin can revoke it.");
  }
  if (token.revokedAt) return token;
  const revoked = await prisma.$transaction(async (tx) => {
    const revoked = await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() }, select: tokenView });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "token.revoked", targetType: "api_token", targetId: token.id, data: { name: token.name } });
    return revoked;
  });
  // Refused at once on this replica; other replicas' caches let go within tokenAuthTtlMs.
  apiTokenAuthCache.forgetToken(token.id);
  return revoked;
}
