import type { PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { currentSecretsKey, sealValue, type SecretsKey } from "../secrets";
import { isUniqueViolation } from "../unique-violation";
import { parseRegistryName } from "./registry-name";

/** What a credential is sealed to: its team and registry, so a ciphertext cannot be moved to another row. */
export const registryCredentialContext = (teamId: string, registry: string) => ["registry-credential", teamId, registry] as const;

/** The longest password or token accepted: what the agent protocol carries. */
export const maxRegistryPasswordLength = 16 * 1024;

/** Everything about a credential but its secret, which never leaves the server once saved. */
const credentialView = { id: true, registry: true, username: true, createdById: true, createdAt: true, updatedAt: true, lastUsedAt: true } as const;

export interface SaveRegistryCredentialOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  registry: string;
  username: string;
  password: string;
  /** Defaults to this server's key (made on first use in the data directory when none is configured). */
  key?: SecretsKey;
}

/** Saves the team's credential for a registry, replacing the one it had; admins and owners only. */
export async function saveRegistryCredential({ prisma, ctx, registry: registryInput, username: usernameInput, password, key }: SaveRegistryCredentialOptions) {
  requireRole(ctx, "admin");
  const registry = parseRegistryName(registryInput);
  const username = usernameInput.trim();
  if (!username || username.length > 255)
    throw new AppError("BAD_REQUEST", "Give the registry username (1 to 255 characters); for a token-only registry use the name its docs say, e.g. oauth2accesstoken or _token.");
  if (!password || password.length > maxRegistryPasswordLength) throw new AppError("BAD_REQUEST", `Give the password or access token (1 to ${maxRegistryPasswordLength} characters).`);
  const sealed = sealValue(key ?? currentSecretsKey({ forSealing: true }), password, registryCredentialContext(ctx.teamId, registry));
  const save = () =>
    prisma.$transaction(async (tx) => {
      const existing = await tx.registryCredential.findUnique({ where: { teamId_registry: { teamId: ctx.teamId, registry } }, select: { id: true } });
      const credential = existing
        ? await tx.registryCredential.update({ where: { id: existing.id }, data: { username, ...sealed, createdById: ctx.actor.userId, lastUsedAt: null }, select: credentialView })
        : await tx.registryCredential.create({ data: { teamId: ctx.teamId, registry, username, ...sealed, createdById: ctx.actor.userId }, select: credentialView });
      await appendAuditEvent(tx, {
        teamId: ctx.teamId,
        ...auditActor(ctx),
        action: existing ? "registry.credential_replaced" : "registry.credential_added",
        targetType: "registry_credential",
        targetId: credential.id,
        data: { registry, username },
      });
      return { credential, replaced: Boolean(existing) };
    });
  try {
    return await save();
  } catch (error) {
    // Two admins saving the same registry at once: the second one replaces the first.
    if (isUniqueViolation(error)) return save();
    throw error;
  }
}

/** The team's credentials, without their secrets; who saved each is named by email. */
export async function listRegistryCredentials({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  const credentials = await prisma.registryCredential.findMany({ where: teamScope(ctx), orderBy: { registry: "asc" }, select: credentialView });
  const creatorIds = [...new Set(credentials.flatMap((credential) => (credential.createdById ? [credential.createdById] : [])))];
  const creators = new Map((await prisma.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, email: true, name: true } })).map((user) => [user.id, user]));
  return credentials.map(({ createdById, ...credential }) => ({ ...credential, createdBy: createdById ? (creators.get(createdById) ?? null) : null }));
}

/** Removes a credential; pulls from its registry are anonymous from then on. */
export async function removeRegistryCredential({ prisma, ctx, credentialId }: { prisma: PrismaClient; ctx: TeamContext; credentialId: string }) {
  requireRole(ctx, "admin");
  return prisma.$transaction(async (tx) => {
    const credential = await tx.registryCredential.findFirst({ where: teamScope(ctx, { id: credentialId }), select: credentialView });
    if (!credential) throw AppError.notFound("Registry credential");
    await tx.registryCredential.delete({ where: { id: credential.id } });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "registry.credential_removed",
      targetType: "registry_credential",
      targetId: credential.id,
      data: { registry: credential.registry, username: credential.username },
    });
    return credential;
  });
}
