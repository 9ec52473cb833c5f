import type { Prisma, PrismaClient } from "@bailey/db";
import { matchesHost, parseHostPattern, type RunWorkspace } from "@bailey/protocol";
import { AppError } from "../errors";

/**
 * Refuses a workspace whose clone credentials the team cannot supply: its grant must be one of
 * the team's and cover the remote's host, its deploy key one of the team's secrets. Checked at
 * submission, so a typo is a 400 now rather than a clone failing on the host later.
 */
export async function requireWorkspaceCredentials(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, workspace: RunWorkspace): Promise<void> {
  if (workspace.grant) {
    const grant = await prisma.grant.findUnique({ where: { teamId_name: { teamId, name: workspace.grant } }, select: { hosts: true } });
    if (!grant)
      throw new AppError(
        "BAD_REQUEST",
        `workspace.grant names ${workspace.grant}, which the team does not have. An admin can create it on the Grants page (or POST /api/v1/grants) with the repository's host, or correct the name.`,
        { missingGrants: [workspace.grant] },
      );
    const remote = workspace.git ? remoteHost(workspace.git) : null;
    if (remote && !grant.hosts.some((source) => safeMatches(source, remote.host, remote.port)))
      throw new AppError(
        "BAD_REQUEST",
        `workspace.grant ${workspace.grant} covers ${grant.hosts.join(", ")}, not ${remote.host}, the host of workspace.git: its credential would not be sent. Add ${remote.host} to the grant's hosts, or use a grant that covers it.`,
      );
  }
  if (workspace.sshKeySecret) {
    const secret = await prisma.secret.findUnique({ where: { teamId_name: { teamId, name: workspace.sshKeySecret } }, select: { id: true } });
    if (!secret)
      throw new AppError(
        "BAD_REQUEST",
        `workspace.sshKeySecret names ${workspace.sshKeySecret}, which the team does not have. Save the deploy key's private key as a secret on the Secrets page (or POST /api/v1/secrets), or correct the name.`,
        { missingSecrets: [workspace.sshKeySecret] },
      );
  }
}

function remoteHost(git: string): { host: string; port: number } | null {
  try {
    const url = new URL(git);
    return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443 };
  } catch {
    return null;
  }
}

function safeMatches(source: string, host: string, port: number): boolean {
  try {
    return matchesHost(parseHostPattern(source), host, port);
  } catch {
    return false;
  }
}
