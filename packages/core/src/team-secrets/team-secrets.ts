import { Prisma, type PrismaClient } from "@bailey/db";
import { maxSecretValueBytes } from "@bailey/protocol";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { currentSecretsKey, sealValue, type SecretsKey } from "../secrets";
import { isUniqueViolation } from "../unique-violation";
import { refuseSecretUsedByGrants } from "../grants/team-grants";
import { parseSecretName } from "./secret-name";

/** What a secret's value is sealed to: its team and name, so a ciphertext cannot be moved to another row. */
export const teamSecretContext = (teamId: string, name: string) => ["team-secret", teamId, name] as const;

/** The largest value accepted, in bytes of UTF-8 (what run.create carries): enough for a key file or a certificate chain. */
export { maxSecretValueBytes };
export const maxSecretDescriptionLength = 500;

/** Everything about a secret but its value, which never leaves the server once saved. */
const secretView = { id: true, name: true, description: true, createdById: true, createdAt: true, updatedAt: true } as const;

function checkedValue(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes === 0 || bytes > maxSecretValueBytes) throw new AppError("BAD_REQUEST", `Give the secret's value (1 byte to ${maxSecretValueBytes / 1024} KiB; this one is ${bytes} bytes).`);
  return value;
}

function checkedDescription(description: string | null | undefined): string | null {
  const trimmed = description?.trim() ?? "";
  if (trimmed.length > maxSecretDescriptionLength) throw new AppError("BAD_REQUEST", `Shorten the description to ${maxSecretDescriptionLength} characters (it has ${trimmed.length}).`);
  return trimmed || null;
}

export interface CreateTeamSecretOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  name: string;
  value: string;
  description?: string | null;
  /** Defaults to this server's key (made on first use in the data directory when none is configured). */
  key?: SecretsKey;
}

/** Stores a new team secret; admins and owners only. A name the team already uses is a conflict, never an overwrite. */
export async function createTeamSecret({ prisma, ctx, name: nameInput, value, description: descriptionInput, key }: CreateTeamSecretOptions) {
  requireRole(ctx, "admin");
  const name = parseSecretName(nameInput);
  const description = checkedDescription(descriptionInput);
  const sealed = sealValue(key ?? currentSecretsKey({ forSealing: true }), checkedValue(value), teamSecretContext(ctx.teamId, name));
  try {
    return await prisma.$transaction(async (tx) => {
      const secret = await tx.secret.create({ data: { teamId: ctx.teamId, name, description, ...sealed, createdById: ctx.actor.userId }, select: secretView });
      await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "secret.created", targetType: "secret", targetId: secret.id, data: { name, description } });
      return secret;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `The team already has a secret named "${name}": update that one, or pick another name.`, { name });
    throw error;
  }
}

export interface UpdateTeamSecretOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  secretId: string;
  /** A new value; omitted keeps the stored one. */
  value?: string;
  /** A new description; omitted keeps it, null or "" clears it. */
  description?: string | null;
  key?: SecretsKey;
}

/** Replaces a secret's value and/or description; admins and owners only. Runs already started keep what they were given. */
export async function updateTeamSecret({ prisma, ctx, secretId, value, description: descriptionInput, key }: UpdateTeamSecretOptions) {
  requireRole(ctx, "admin");
  if (value === undefined && descriptionInput === undefined) throw new AppError("BAD_REQUEST", "Give a new value, a new description, or both.");
  const description = descriptionInput === undefined ? undefined : checkedDescription(descriptionInput);
  if (value !== undefined) checkedValue(value);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.secret.findFirst({ where: teamScope(ctx, { id: secretId }), select: secretView });
    if (!existing) throw AppError.notFound("Secret");
    const sealed = value === undefined ? {} : sealValue(key ?? currentSecretsKey({ forSealing: true }), value, teamSecretContext(ctx.teamId, existing.name));
    const secret = await tx.secret.update({
      where: { id: existing.id },
      data: { ...sealed, ...(description === undefined ? {} : { description }), ...(value === undefined ? {} : { createdById: ctx.actor.userId }) },
      select: secretView,
    });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "secret.updated",
      targetType: "secret",
      targetId: secret.id,
      data: { name: secret.name, valueChanged: value !== undefined, ...(description === undefined ? {} : { description }) },
    });
    return secret;
  });
}

/** The team's secrets without their values; who saved each value is named by email. Every member may see the names. */
export async function listTeamSecrets({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  const secrets = await prisma.secret.findMany({ where: teamScope(ctx), orderBy: { name: "asc" }, select: secretView });
  const creatorIds = [...new Set(secrets.flatMap((secret) => (secret.createdById ? [secret.createdById] : [])))];
  const creators = new Map((await prisma.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, email: true, name: true } })).map((user) => [user.id, user]));
  return secrets.map(({ createdById, ...secret }) => ({ ...secret, createdBy: createdById ? (creators.get(createdById) ?? null) : null }));
}

/** Deletes a secret; runs that name it are refused from then on. A secret a grant uses is a 409 naming the grants. */
export async function deleteTeamSecret({ prisma, ctx, secretId }: { prisma: PrismaClient; ctx: TeamContext; secretId: string }) {
  requireRole(ctx, "admin");
  return prisma
    .$transaction(async (tx) => {
      const secret = await tx.secret.findFirst({ where: teamScope(ctx, { id: secretId }), select: secretView });
      if (!secret) throw AppError.notFound("Secret");
      await refuseSecretUsedByGrants(tx, ctx.teamId, secret);
      await tx.secret.delete({ where: { id: secret.id } });
      await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "secret.deleted", targetType: "secret", targetId: secret.id, data: { name: secret.name } });
      return secret;
    })
    .catch((error: unknown) => {
      // A grant made for it between the check and the delete: the foreign key refuses, and so do we.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003")
        throw new AppError("CONFLICT", "A grant started using this secret meanwhile; see the Grants page, then try again.");
      throw error;
    });
}
