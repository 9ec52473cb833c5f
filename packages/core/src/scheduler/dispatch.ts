import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import type { PrismaClient } from "@bailey/db";
import { validateRunSpec } from "../runs/run-spec";
import { transitionRun } from "../runs/transition-run";
import type { HostConnections } from "./host-connections";

const maxDispatchAttempts = 3;
/** Errors the agent gives for a run that can never start there: retrying cannot help. */
const permanent = new Set<number>([rpcErrorCodes.invalidParams, rpcErrorCodes.unsupportedFeature, rpcErrorCodes.conflict, rpcErrorCodes.internalError]);

/**
 * Sends scheduled runs to their hosts. Each run is claimed by moving it to `provisioning`
 * (a compare-and-set under SKIP LOCKED) before any call is made, so no two control planes
 * dispatch the same run; the agent's `run.create` is idempotent, so a retry after a lost
 * answer never makes a second container.
 */
export async function dispatchScheduledRuns({ prisma, connections, limit = 100, runIds }: { prisma: PrismaClient; connections: HostConnections; limit?: number; runIds?: string[] }): Promise<number> {
  const claimed = await prisma.$transaction(async (tx) => {
    const rows = runIds
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Run" WHERE state = 'scheduled' AND id = ANY(${runIds}) FOR UPDATE SKIP LOCKED`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Run" WHERE state = 'scheduled' ORDER BY "scheduledAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    const mine: string[] = [];
    for (const { id } of rows) {
      if (await transitionRun(tx, { runId: id, from: ["scheduled"], to: "provisioning", data: { dispatchAttempts: { increment: 1 } } })) mine.push(id);
    }
    return mine;
  }, { maxWait: 15_000 });
  await Promise.all(claimed.map((runId) => dispatchOne(prisma, connections, runId)));
  return claimed.length;
}

/** Creates and starts one run already claimed (moved to provisioning) by this process. */
export async function dispatchOne(prisma: PrismaClient, connections: HostConnections, runId: string): Promise<void> {
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { host: true } });
  if (!run.host) return;
  try {
    const { agentSpec } = validateRunSpec(run.spec);
    const agent = connections.get(run.host);
    await agent.request("run.create", { runId, spec: { ...agentSpec, labels: { "bailey.team-id": run.teamId } } }, { timeoutMs: 120_000 });
    const started = await agent.request("run.start", { runId }, { timeoutMs: 60_000 });
    await prisma.$transaction(async (tx) => {
      const moved = await transitionRun(tx, { runId, from: ["provisioning"], to: "running", actor: { actorType: "agent", actorId: run.hostId }, data: { containerId: started.containerId } });
      // Ingested agent events may have moved it on already; the container id still belongs here.
      if (!moved) await tx.run.updateMany({ where: { id: runId, containerId: null }, data: { containerId: started.containerId } });
      if (started.networkId && started.networkName) {
        await tx.network.upsert({ where: { runId_name: { runId, name: started.networkName } }, update: { networkId: started.networkId }, create: { runId, hostId: run.host!.id, name: started.networkName, networkId: started.networkId } });
      }
      for (const sidecar of started.sidecars) {
        await tx.sidecar.upsert({
          where: { runId_role: { runId, role: sidecar.role } },
          update: { containerId: sidecar.containerId, state: "running" },
          create: { runId, hostId: run.host!.id, role: sidecar.role, name: sidecar.name, image: sidecar.image ?? agentSpec.buildkitImage ?? "", containerId: sidecar.containerId, state: "running" },
        });
      }
    });
  } catch (error) {
    const message = (error as Error).message;
    const giveUp = (error instanceof RpcError && permanent.has(error.code)) || run.dispatchAttempts >= maxDispatchAttempts || !(error instanceof RpcError);
    // A run given up on must not leave a created-but-unstarted container on its host.
    if (giveUp) await connections.get(run.host).request("run.destroy", { runId }, { timeoutMs: 60_000 }).catch(() => undefined);
    await prisma.$transaction((tx) =>
      giveUp
        ? transitionRun(tx, { runId, from: ["provisioning"], to: "failed", reason: message, data: { lastError: message } })
        : transitionRun(tx, { runId, from: ["provisioning"], to: "scheduled", reason: `dispatch attempt ${run.dispatchAttempts} failed: ${message}`, data: { lastError: message } }),
    );
  }
}
