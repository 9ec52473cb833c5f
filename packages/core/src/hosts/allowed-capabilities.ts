import type { Hello } from "@bailey/agent-client";
import type { PrismaClient } from "@bailey/db";

/** The host's BAILEY_ALLOW from its agent's hello; an agent too old to report it is taken to allow nothing (as a fresh install). */
export function allowedCapabilitiesOf(hello: Hello): string[] {
  return [...new Set(hello.allowed ?? [])].sort();
}

/**
 * Keeps Host.allowedCapabilities equal to what the agent last said: an agent restarted with
 * another BAILEY_ALLOW says so in its next hello, and placement must follow at once.
 * Written only when it changed.
 */
export async function recordAllowedCapabilities(prisma: PrismaClient, host: { id: string; allowedCapabilities: string[]; hasWorkspaces?: boolean }, hello: Hello): Promise<void> {
  const allowed = allowedCapabilitiesOf(hello);
  const stored = [...host.allowedCapabilities].sort();
  // An agent upgraded in place (or one that lost git) says so in its next hello: placement follows.
  const workspaces = hello.features.workspaces ?? false;
  const sameWorkspaces = host.hasWorkspaces === undefined || host.hasWorkspaces === workspaces;
  if (sameWorkspaces && allowed.length === stored.length && allowed.every((capability, i) => capability === stored[i])) return;
  await prisma.host.update({ where: { id: host.id }, data: { allowedCapabilities: allowed, ...(sameWorkspaces ? {} : { hasWorkspaces: workspaces }) } });
}
