import type { PrismaClient } from "@bailey/db";
import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import type { BlobStore } from "../blobs/blob-store";
import { AppError } from "../errors";
import { shipRunLogs } from "../logs/ship-run-logs";
import { recordResultsLostToDestroy, shipResultsBeforeDestroy } from "../results/destroy-results";
import type { PullProgress } from "../images/pull-progress";
import type { HostConnections } from "../scheduler/host-connections";
import { runBuildSteps } from "./run-build-steps";
import { finalRunStates } from "./state-machine";
import { transitionRun } from "./transition-run";
import { runLogger } from "../observability/logger";

/** A team's run with its timeline, host, sidecars and network; another team's is NOT_FOUND. */
export async function getRun({ prisma, ctx, runId }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId">; runId: string }) {
  const run = await prisma.run.findFirst({
    where: teamScope(ctx, { id: runId }),
    include: {
      transitions: { orderBy: { id: "asc" } },
      host: { select: { id: true, name: true, status: true } },
      sidecars: true,
      networks: true,
    },
  });
  if (!run) throw AppError.notFound("Run");
  return { ...run, pullProgress: run.pullProgress as unknown as PullProgress | null, buildSteps: await runBuildSteps(prisma, run) };
}

/** Asks the agent to stop the run; a run not yet on a host is simply cancelled. */
export async function stopRun({ prisma, ctx, connections, runId, graceSeconds = 10 }: { prisma: PrismaClient; ctx: TeamContext; connections: HostConnections; runId: string; graceSeconds?: number }) {
  requireRole(ctx, "member");
  const run = await getRun({ prisma, ctx, runId });
  if (finalRunStates.includes(run.state)) return run;
  const actor = auditActor(ctx);
  if (run.state === "queued" || run.state === "scheduled") {
    const cancelled = await prisma.$transaction((tx) => transitionRun(tx, { runId, from: ["queued", "scheduled"], to: "cancelled", reason: "stopped before it started", actor }));
    if (cancelled) return getRun({ prisma, ctx, runId });
  }
  await prisma.$transaction((tx) => transitionRun(tx, { runId, from: ["running"], to: "stopping", reason: `stop requested (grace ${graceSeconds}s)`, actor, data: { stopRequestedAt: new Date() } }));
  await prisma.run.updateMany({ where: { id: runId, stopRequestedAt: null }, data: { stopRequestedAt: new Date() } });
  const host = run.host && (await prisma.host.findUniqueOrThrow({ where: { id: run.host.id } }));
  if (!host) throw new AppError("CONFLICT", "This run has no host yet; try again in a moment.");
  try {
    await connections.get(host).request("run.stop", { runId, graceSeconds }, { timeoutMs: (graceSeconds + 30) * 1000 });
  } catch (error) {
    throw agentError(error, host.name);
  }
  return getRun({ prisma, ctx, runId });
}

/** Removes everything the run left on its host (the agent's destroy is idempotent). */
export async function destroyRun({
  prisma,
  ctx,
  connections,
  runId,
  blobs,
}: {
  prisma: PrismaClient;
  ctx: TeamContext;
  connections: HostConnections;
  runId: string;
  /** Where shipped logs are kept: what is left of the run's log is shipped there before the host removes it. */
  blobs?: BlobStore;
}) {
  requireRole(ctx, "member");
  const run = await getRun({ prisma, ctx, runId });
  const host = run.host && (await prisma.host.findUniqueOrThrow({ where: { id: run.host.id } }));
  let removed: string[] = [];
  if (host) {
    if (blobs && !run.logsCompleteAt) await shipLogsBeforeDestroy({ prisma, blobs, agent: connections.get(host), runId });
    if (blobs) await shipResultsBeforeDestroy({ prisma, blobs, agent: connections.get(host), runId });
    try {
      removed = (await connections.get(host).request("run.destroy", { runId }, { timeoutMs: 60_000 })).removed;
    } catch (error) {
      throw agentError(error, host.name);
    }
  }
  await prisma.$transaction(async (tx) => {
    await transitionRun(tx, { runId, from: ["queued", "scheduled", "provisioning", "running", "stopping"], to: "cancelled", reason: "destroyed", actor: auditActor(ctx) });
    await tx.sidecar.updateMany({ where: { runId, removedAt: null }, data: { removedAt: new Date(), state: "removed" } });
    await tx.network.updateMany({ where: { runId, removedAt: null }, data: { removedAt: new Date() } });
  });
  await recordResultsLostToDestroy(prisma, runId);
  return { runId, removed };
}

/** How long a destroy waits for the rest of the run's log to ship; past it, the log keeps what was shipped. */
const shipBeforeDestroyMs = 30_000;

/** Best effort: a failure or a slow host never blocks the destroy (the tick has shipped all but the last seconds). */
async function shipLogsBeforeDestroy(options: Parameters<typeof shipRunLogs>[0]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const shipping = (async () => {
    for (let round = 0; round < 64; round++) {
      const shipped = await shipRunLogs({ ...options, budgetBytes: 64 * 1024 * 1024 });
      if (shipped.complete || (shipped.bytes === 0 && !shipped.busy)) return;
      // The tick is shipping it right now: wait for it to let go.
      if (shipped.busy) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })().catch((error: unknown) => runLogger(options.runId).error(`shipping the rest of run ${options.runId}'s log before its destroy failed; it keeps what was shipped: ${(error as Error).message}`));
  await Promise.race([shipping, new Promise((resolve) => (timer = setTimeout(resolve, shipBeforeDestroyMs)))]);
  clearTimeout(timer);
}

/** Agent failures in words a person can act on. */
function agentError(error: unknown, hostName: string): AppError {
  if (error instanceof RpcError && error.code === rpcErrorCodes.runNotFound) return new AppError("CONFLICT", `Host ${hostName} no longer knows this run; it may have been reconciled away.`);
  if (error instanceof RpcError && error.code === rpcErrorCodes.connectionClosed) return new AppError("UNAVAILABLE", `Host ${hostName} is not reachable right now; try again once it is online.`);
  return new AppError("UNAVAILABLE", `Host ${hostName} could not do this: ${(error as Error).message}`);
}
