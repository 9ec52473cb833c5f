import { z } from "zod";
import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { isUniqueViolation } from "../unique-violation";
import { HostKeyMismatchError } from "@bailey/agent-client";
import type { HostConnections } from "../scheduler/host-connections";
import { parseInput } from "../zod-issues";
import { capacityRuns, hostAddress, hostKeyFingerprint, hostLabels, hostName, sshPort, sshUser } from "./host-fields";
import { allowedCapabilitiesOf } from "./allowed-capabilities";
import { assertAgentIdentityFree, claimAgentIdentity, withdrawRefusedHost } from "./agent-identity";
import { recordHostKeyMismatch } from "./host-key-mismatch";
import { type AgentProbe, probeAgent } from "./probe-agent";

export const addHostInput = z
  .object({
    name: hostName,
    address: hostAddress,
    sshPort: sshPort.default(22),
    sshUser: sshUser.default("bailey"),
    /** `SHA256:...` as `ssh-keygen -lf` prints it (install.sh prints it too). */
    hostKeyFingerprint,
    labels: hostLabels.default({}),
    capacityRuns: capacityRuns.default(4),
  })
  .strict();

export type AddHostInput = z.input<typeof addHostInput>;

/** Adds a host by hand, then connects, checks its key and the agent's hello, and marks it online. */
export async function addHost({ prisma, ctx, connections, input: raw }: { prisma: PrismaClient; ctx: TeamContext; connections: HostConnections; input: unknown }) {
  requireRole(ctx, "admin");
  const input = parseInput(addHostInput, "host", raw);
  const nameTaken = () => new AppError("CONFLICT", `This team already has a host named ${input.name}; pick another name or remove that host first.`);
  const existing = await prisma.host.findFirst({ where: teamScope(ctx, { name: input.name }) });
  if (existing) throw nameTaken();
  const probed = await probeAgent(connections, { transport: "ssh", address: input.address, sshPort: input.sshPort, sshUser: input.sshUser, hostKeyFingerprint: input.hostKeyFingerprint });
  const host = await createProbedHost(probed, async () => {
    await assertAgentIdentityFree(prisma, { teamId: ctx.teamId, agentId: probed.hello?.agentId, actor: auditActor(ctx), hostName: input.name, address: input.address });
    return prisma
      .$transaction(async (tx) => {
        const created = await tx.host.create({
          data: {
            teamId: ctx.teamId,
            name: input.name,
            transport: "ssh",
            address: input.address,
            sshPort: input.sshPort,
            sshUser: input.sshUser,
            hostKeyFingerprint: input.hostKeyFingerprint,
            labels: input.labels as Prisma.InputJsonValue,
            capacityRuns: input.capacityRuns,
          },
        });
        await appendAuditEvent(tx, {
          teamId: ctx.teamId,
          ...auditActor(ctx),
          action: "host.added",
          targetType: "host",
          targetId: created.id,
          hostId: created.id,
          data: { name: created.name, address: created.address, fingerprint: created.hostKeyFingerprint },
        });
        return created;
      })
      .catch((error: unknown) => {
        // Another request added the same name while this one probed.
        throw isUniqueViolation(error) ? nameTaken() : error;
      });
  });
  return connectHost({ prisma, connections, hostId: host.id, withdrawIfDuplicate: true });
}

/** Runs `create`; the probe's connection goes to the new row, or is closed when nothing was created. */
export async function createProbedHost<T extends { id: string } | string>(probe: AgentProbe, create: () => Promise<T>): Promise<T> {
  try {
    const created = await create();
    probe.adoptAs(typeof created === "string" ? created : created.id);
    return created;
  } catch (error) {
    probe.discard();
    throw error;
  }
}

/**
 * Greets the host's agent and records what it reports; a failure leaves the host offline with
 * the reason, and an agent another row already holds leaves it key_mismatch (agent-identity.ts).
 */
export async function connectHost({
  prisma,
  connections,
  hostId,
  withdrawIfDuplicate = false,
}: {
  prisma: PrismaClient;
  connections: HostConnections;
  hostId: string;
  /** For a row just added: a refused identity withdraws the row and throws CONFLICT (the probe could not tell in time). */
  withdrawIfDuplicate?: boolean;
}) {
  const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  try {
    const hello = await connections.get(host).hello();
    if (!(await claimAgentIdentity({ prisma, host, agentId: hello.agentId }))) {
      connections.forget(host.id);
      if (withdrawIfDuplicate) await withdrawRefusedHost(prisma, hostId);
      return await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    }
    return await prisma.host.update({
      where: { id: hostId },
      data: {
        status: host.drainedAt ? "draining" : "online",
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
        hasRunscHostUds: hello.features.runscHostUds ?? false,
        hasWorkspaces: hello.features.workspaces ?? false,
        allowedCapabilities: allowedCapabilitiesOf(hello),
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
