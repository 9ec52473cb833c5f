import type { Prisma, PrismaClient } from "@bailey/db";
import type { GrantInjection } from "@bailey/protocol";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { isUniqueViolation } from "../unique-violation";
import { injectionColumns, injectionOf, parseGrantDescription, parseGrantHosts, parseGrantInjection, parseGrantName } from "./grant-rules";

const grantRow = {
  id: true,
  name: true,
  hosts: true,
  injectKind: true,
  injectName: true,
  description: true,
  createdAt: true,
  updatedAt: true,
  secret: { select: { name: true } },
  createdBy: { select: { id: true, email: true, name: true } },
} as const satisfies Prisma.GrantSelect;

type GrantRow = Prisma.GrantGetPayload<{ select: typeof grantRow }>;

/** A grant as anyone in the team sees it. It holds no value: it names the secret whose value the proxy injects. */
export interface TeamGrant {
  id: string;
  name: string;
  secretName: string;
  hosts: string[];
  inject: GrantInjection;
  description: string | null;
  createdBy: { id: string; email: string; name: string | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

function grantView(row: GrantRow): TeamGrant {
  return {
    id: row.id,
    name: row.name,
    secretName: row.secret.name,
    hosts: row.hosts,
    inject: injectionOf(row),
    description: row.description,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The team's secret of that name, or a 400 saying where to create it. */
async function secretNamed(tx: Prisma.TransactionClient, teamId: string, secretName: string): Promise<{ id: string; name: string }> {
  const name = secretName.trim();
  if (!name) throw new AppError("BAD_REQUEST", "Name the team secret whose value the grant injects (secretName).");
  const secret = await tx.secret.findUnique({ where: { teamId_name: { teamId, name } }, select: { id: true, name: true } });
  if (!secret)
    throw new AppError("BAD_REQUEST", `The team has no secret named "${name.slice(0, 80)}". Create it on the Secrets page (or POST /api/v1/secrets) first, or name one the team has.`, {
      secretName: name.slice(0, 80),
    });
  return secret;
}

export async function listTeamGrants({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }): Promise<TeamGrant[]> {
  const rows = await prisma.grant.findMany({ where: teamScope(ctx), orderBy: { name: "asc" }, select: grantRow });
  return rows.map(grantView);
}

export interface CreateTeamGrantOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  name: string;
  secretName: string;
  hosts: readonly string[];
  inject: unknown;
  description?: string | null;
}

/** Adds a grant; admins and owners only. A name the team already uses is a conflict, never an overwrite. */
export async function createTeamGrant({ prisma, ctx, name: nameInput, secretName, hosts: hostsInput, inject: injectInput, description: descriptionInput }: CreateTeamGrantOptions): Promise<TeamGrant> {
  requireRole(ctx, "admin");
  const name = parseGrantName(nameInput);
  const hosts = parseGrantHosts(hostsInput);
  const inject = parseGrantInjection(injectInput);
  const description = parseGrantDescription(descriptionInput);
  try {
    return await prisma.$transaction(async (tx) => {
      const secret = await secretNamed(tx, ctx.teamId, secretName);
      const row = await tx.grant.create({
        data: { teamId: ctx.teamId, name, secretId: secret.id, hosts, ...injectionColumns(inject), description, createdById: ctx.actor.userId },
        select: grantRow,
      });
      await appendAuditEvent(tx, {
        teamId: ctx.teamId,
        ...auditActor(ctx),
        action: "grant.created",
        targetType: "grant",
        targetId: row.id,
        data: { name, secretName: secret.name, hosts, inject, description },
      });
      return grantView(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `The team already has a grant named "${name}": update that one, or pick another name.`, { name });
    throw error;
  }
}

export interface UpdateTeamGrantOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  grantId: string;
  secretName?: string;
  hosts?: readonly string[];
  inject?: unknown;
  /** Omitted keeps it; null or "" clears it. */
  description?: string | null;
}

/** Changes what a grant injects, where, or from which secret; admins and owners only. Runs already started keep what they were given. */
export async function updateTeamGrant({ prisma, ctx, grantId, secretName, hosts: hostsInput, inject: injectInput, description: descriptionInput }: UpdateTeamGrantOptions): Promise<TeamGrant> {
  requireRole(ctx, "admin");
  if (secretName === undefined && hostsInput === undefined && injectInput === undefined && descriptionInput === undefined)
    throw new AppError("BAD_REQUEST", "Give at least one of secretName, hosts, inject or description to change.");
  const hosts = hostsInput === undefined ? undefined : parseGrantHosts(hostsInput);
  const inject = injectInput === undefined ? undefined : parseGrantInjection(injectInput);
  const description = descriptionInput === undefined ? undefined : parseGrantDescription(descriptionInput);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.grant.findFirst({ where: teamScope(ctx, { id: grantId }), select: grantRow });
    if (!existing) throw AppError.notFound("Grant");
    const secret = secretName === undefined ? undefined : await secretNamed(tx, ctx.teamId, secretName);
    const row = await tx.grant.update({
      where: { id: existing.id },
      data: {
        ...(secret ? { secretId: secret.id } : {}),
        ...(hosts ? { hosts } : {}),
        ...(inject ? injectionColumns(inject) : {}),
        ...(description === undefined ? {} : { description }),
      },
      select: grantRow,
    });
    const before = grantView(existing);
    const after = grantView(row);
    const changed = Object.fromEntries(
      (["secretName", "hosts", "inject", "description"] as const)
        .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
        .map((key) => [key, { from: before[key], to: after[key] }]),
    );
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "grant.updated", targetType: "grant", targetId: row.id, data: { name: row.name, changed } });
    return after;
  });
}

/** Deletes a grant; runs that name it are refused from then on, and queued ones fail at dispatch saying so. */
export async function deleteTeamGrant({ prisma, ctx, grantId }: { prisma: PrismaClient; ctx: TeamContext; grantId: string }): Promise<TeamGrant> {
  requireRole(ctx, "admin");
  return prisma.$transaction(async (tx) => {
    const existing = await tx.grant.findFirst({ where: teamScope(ctx, { id: grantId }), select: grantRow });
    if (!existing) throw AppError.notFound("Grant");
    await tx.grant.delete({ where: { id: existing.id } });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "grant.deleted", targetType: "grant", targetId: existing.id, data: { name: existing.name } });
    return grantView(existing);
  });
}

/** Refuses to delete a secret while grants name it: the 409 says which, so the admin can change or delete them first. */
export async function refuseSecretUsedByGrants(tx: Prisma.TransactionClient, teamId: string, secret: { id: string; name: string }): Promise<void> {
  const grants = await tx.grant.findMany({ where: { teamId, secretId: secret.id }, orderBy: { name: "asc" }, select: { name: true } });
  if (!grants.length) return;
  const names = grants.map((grant) => grant.name);
  throw new AppError(
    "CONFLICT",
    `Secret "${secret.name}" is used by ${names.length === 1 ? "grant" : "grants"} ${names.join(", ")}. Point ${names.length === 1 ? "it" : "them"} at another secret or delete ${names.length === 1 ? "it" : "them"} on the Grants page (or PATCH/DELETE /api/v1/grants/{id}) first.`,
    { grants: names },
  );
}
