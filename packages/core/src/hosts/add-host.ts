import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { HostKeyMismatchError } from "@bailey/agent-client";
import type { HostConnections } from "../scheduler/host-connections";
import { recordHostKeyMismatch } from "./host-key-mismatch";

export interface AddHostInput {
  name: string;
  address: string;
  sshPort?: number;
  sshUser?: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it (install.sh prints it too). */
  hostKeyFingerprint: string;
  labels?: Record<string, string>;
  capacityRuns?: number;
}

const fingerprintPattern = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Adds a host by hand, then connects, checks its key and the agent's hello, and marks it online. */
export async function addHost({ prisma, ctx, connections, input }: { prisma: PrismaClient; ctx: TeamContext; connections: HostConnections; input: AddHostInput }) {
  requireRole(ctx, "admin");
  if (!fingerprintPattern.test(input.hostKeyFingerprint)) {
    throw new AppError("BAD_REQUEST", "hostKeyFingerprint must look like SHA256:<43 base64 characters>; get it on the host with: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name)) throw new AppError("BAD_REQUEST", "A host name is 1-63 letters, digits, '.', '_' or '-'.");
  const existing = await prisma.host.findFirst({ where: teamScope(ctx, { name: input.name }) });
  if (existing) throw new AppError("CONFLICT", `This team already has a host named ${input.name}.`);
  const host = await prisma.$transaction(async (tx) => {
    const created = await tx.host.create({
      data: {
        teamId: ctx.teamId,
        name: input.name,
        transport: "ssh",
        address: input.address,
        sshPort: input.sshPort ?? 22,
        sshUser: input.sshUser ?? "bailey",
        hostKeyFingerprint: input.hostKeyFingerprint,
        labels: (input.labels ?? {}) as Prisma.InputJsonValue,
        capacityRuns: input.capacityRuns ?? 4,
      },
    });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "host.added", targetType: "host", targetId: created.id, hostId: created.id, data: { name: created.name, address: created.address, fingerprint: created.hostKeyFingerprint } });
    return created;
  });
  return connectHost({ prisma, connections, hostId: host.id });
}

/** Greets the host's agent and records what it reports; a failure leaves the host offline with the reason. */
export async function connectHost({ prisma, connections, hostId }: { prisma: PrismaClient; connections: HostConnections; hostId: string }) {
  const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  try {
    const hello = await connections.get(host).hello();
    return await prisma.host.update({
      where: { id: hostId },
      data: {
        status: host.status === "draining" ? "draining" : "online",
        statusReason: null,
        lastSeenAt: new Date(),
        runtimeType: hello.runtime,
        agentVersion: hello.agentVersion,
        protocolVersion: hello.protocolVersion,
        cpus: hello.cpus,
        memoryBytes: BigInt(hello.memoryBytes),
        hasNetworks: hello.features.networks,
        hasSidecars: hello.features.sidecars,
        hasBuilds: hello.features.builds,
        hasRunsc: hello.features.runsc,
      },
    });
  } catch (error) {
    if (error instanceof HostKeyMismatchError) {
      await recordHostKeyMismatch({ prisma, hostId, error });
      return prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    }
    return prisma.host.update({ where: { id: hostId }, data: { status: "offline", statusReason: (error as Error).message } });
  }
}
