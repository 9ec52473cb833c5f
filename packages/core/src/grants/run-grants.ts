import type { Prisma, PrismaClient } from "@bailey/db";
import { type GrantCredential, grantValue } from "@bailey/protocol";
import { AppError } from "../errors";
import { currentSecretsKey, openValue, type SecretsKey } from "../secrets";
import { teamSecretContext } from "../team-secrets/team-secrets";
import { injectionOf } from "./grant-rules";

/** The grants whose credentials a run is dispatched with: its own, and its workspace's clone grant even when its grants do not name it. */
export function runGrantNames(spec: { grants: readonly string[]; workspace?: { grant?: string | undefined } | undefined }): string[] {
  return [...new Set([...spec.grants, ...(spec.workspace?.grant ? [spec.workspace.grant] : [])])];
}

/** Refuses a run naming grants its team does not have, naming each one and where to create it. */
export async function requireTeamGrants(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, names: readonly string[]): Promise<void> {
  if (!names.length) return;
  const found = new Set((await prisma.grant.findMany({ where: { teamId, name: { in: [...names] } }, select: { name: true } })).map((grant) => grant.name));
  const missing = names.filter((name) => !found.has(name));
  if (!missing.length) return;
  throw new AppError(
    "BAD_REQUEST",
    `The run names ${missing.length === 1 ? "a grant" : "grants"} the team does not have: ${missing.join(", ")}. An admin can create ${missing.length === 1 ? "it" : "them"} on the Grants page (or POST /api/v1/grants), or correct the name${missing.length === 1 ? "" : "s"} in the run's grants.`,
    { missingGrants: missing },
  );
}

/**
 * The named grants with their secrets' values, in the order the run lists them, for one
 * `run.create` request. A grant deleted since the run was queued is an error naming it: the run
 * must not start without the credentials it asked for.
 */
export async function teamGrantCredentials(prisma: PrismaClient, teamId: string, names: readonly string[], key?: SecretsKey): Promise<GrantCredential[]> {
  if (!names.length) return [];
  await requireTeamGrants(prisma, teamId, names);
  const rows = await prisma.grant.findMany({ where: { teamId, name: { in: [...names] } }, include: { secret: true } });
  const byName = new Map(rows.map((row) => [row.name, row]));
  const opening = key ?? currentSecretsKey();
  return names.map((name) => {
    const row = byName.get(name);
    // Deleted between the two reads: the same refusal as above.
    if (!row) throw new AppError("BAD_REQUEST", `The run names a grant the team does not have: ${name}.`, { missingGrants: [name] });
    const value = openValue(opening, row.secret, teamSecretContext(teamId, row.secret.name));
    // The proxy puts it in a header: a line break there would let the value smuggle headers of its own.
    if (!grantValue.safeParse(value).success)
      throw new AppError(
        "BAD_REQUEST",
        `Grant ${name} uses secret "${row.secret.name}", whose value is empty or holds a line break (CR, LF) or NUL, which cannot go in a request header. Save the secret's value without them.`,
      );
    return { name, hosts: row.hosts, inject: injectionOf(row), value };
  });
}
