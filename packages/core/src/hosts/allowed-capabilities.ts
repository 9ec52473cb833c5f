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
export async function recordAllowedCapabilities(prisma: PrismaClient, host: { id: string; allowedCapabilities: string[] }, hello: Hello): Promise<void> {
  const allowed = allowedCapabilitiesOf(hello);
  const stored = [...host.allowedCapabilities].sort();
  if (allowed.length === stored.length && allowed.every((capability, i) => capability === stored[i])) return;
  await prisma.host.update({ where: { id: host.id }, data: { allowedCapabilities: allowed } });
}
