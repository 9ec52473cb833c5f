import type { Prisma, PrismaClient } from "@bailey/db";
import type { RunSpec } from "@bailey/protocol";
import { AppError } from "../errors";
import { currentSecretsKey, openValue, type SecretsKey } from "../secrets";
import { teamSecretContext } from "./team-secrets";

/** Every secret name a run spec references (the workspace's deploy key too), once each, in the order first named. */
export function referencedSecretNames(spec: Pick<RunSpec, "secrets" | "secretFiles"> & { workspace?: { sshKeySecret?: string | undefined } | undefined }): string[] {
  return [...new Set([...Object.values(spec.secrets), ...spec.secretFiles, ...(spec.workspace?.sshKeySecret ? [spec.workspace.sshKeySecret] : [])])];
}

/** Refuses a run naming secrets its team does not have, naming each one and where to create it. */
export async function requireTeamSecrets(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, names: string[]): Promise<void> {
  if (!names.length) return;
  const found = new Set((await prisma.secret.findMany({ where: { teamId, name: { in: names } }, select: { name: true } })).map((secret) => secret.name));
  const missing = names.filter((name) => !found.has(name));
  if (!missing.length) return;
  throw new AppError(
    "BAD_REQUEST",
    `The run names ${missing.length === 1 ? "a secret" : "secrets"} the team does not have: ${missing.join(", ")}. Create ${missing.length === 1 ? "it" : "them"} on the Secrets page (or POST /api/v1/secrets), or correct the name${missing.length === 1 ? "" : "s"} in the run's secrets and secretFiles.`,
    { missingSecrets: missing },
  );
}

/**
 * The values of the named secrets, decrypted for one `run.create` request to an agent. A secret
 * deleted since the run was queued, or sealed by another key, is an error naming it: the run
 * must not start without what it asked for.
 */
export async function teamSecretValues(prisma: PrismaClient, teamId: string, names: string[], key?: SecretsKey): Promise<Record<string, string>> {
  if (!names.length) return {};
  await requireTeamSecrets(prisma, teamId, names);
  const rows = await prisma.secret.findMany({ where: { teamId, name: { in: names } } });
  const opening = key ?? currentSecretsKey();
  return Object.fromEntries(rows.map((row) => [row.name, openValue(opening, row, teamSecretContext(teamId, row.name))]));
}
