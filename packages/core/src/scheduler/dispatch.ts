import { HostKeyMismatchError } from "@bailey/agent-client";
import { RpcError, rpcErrorCodes } from "@bailey/protocol";
import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { buildContextBytes } from "../build-contexts/run-build-context";
import { putBuildContextOnHost } from "../build-contexts/put-build-context";
import { registryAuthFor } from "../registries";
import { referencedSecretNames, teamSecretValues } from "../team-secrets/run-secrets";
import { runGrantNames, teamGrantCredentials } from "../grants/run-grants";
import { validateRunSpec } from "../runs/run-spec";
import { announceRunStarted, announceRunStateChanged } from "../runs/run-state-signal";
import { transitionRun } from "../runs/transition-run";
import { defaultDispatchLeaseMs, dispatchClaim, keepDispatchLease, runCreateTimeoutMs } from "./dispatch-lease";
import type { HostConnections } from "./host-connections";
import { ingestHostEvents } from "./ingest";
import { runLogger } from "../observability/logger";
import { observeRunStarted } from "../observability/run-metrics";

const maxDispatchAttempts = 3;
/** Unanswered dispatches are retried this often before the run is given up on (≈ 20 min at the default lease). */
const maxUnansweredAttempts = 10;
/** Errors the agent gives for a run that can never start there: retrying cannot help. */
const permanent = new Set<number>([
  rpcErrorCodes.invalidParams,
  rpcErrorCodes.unsupportedFeature,
  rpcErrorCodes.conflict,
  rpcErrorCodes.internalError,
  rpcErrorCodes.refused,
  rpcErrorCodes.imagePullFailed,
]);

export interface DispatchOptions {
  prisma: PrismaClient;
  connections: HostConnections;
  limit?: number;
  runIds?: string[];
  leaseMs?: number;
  /**
   * How long to wait for the claimed dispatches before returning; the rest (a run whose image
   * is still being pulled) carry on in the background under their renewed lease. A tick that
   * waited for a pull would ingest, place and dispatch nothing else for its whole length.
   */
  waitMs?: number;
}

const defaultDispatchWaitMs = 15_000;

/**
 * Sends scheduled runs to their hosts. Each run is claimed by moving it to `provisioning`
 * (a compare-and-set under SKIP LOCKED) with a lease before any call is made, so no two
 * control planes dispatch the same run at once; a run whose lease ran out (its dispatcher
 * died, or never got an answer) is taken over. The agent's `run.create` and `run.start` are
 * idempotent, so a repeated dispatch never makes or starts a second container.
 */
export async function dispatchScheduledRuns({ prisma, connections, limit = 100, runIds, leaseMs = defaultDispatchLeaseMs, waitMs = defaultDispatchWaitMs }: DispatchOptions): Promise<number> {
  const claimed = await prisma.$transaction(
    async (tx) => {
      const rows = runIds
        ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Run" WHERE state = 'scheduled' AND id = ANY(${runIds}) FOR UPDATE SKIP LOCKED`
        : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Run" WHERE state = 'scheduled' ORDER BY "scheduledAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      const mine: string[] = [];
      for (const { id } of rows) {
        if (await transitionRun(tx, { runId: id, from: ["scheduled"], to: "provisioning", data: dispatchClaim(leaseMs) })) mine.push(id);
      }
      if (!runIds) mine.push(...(await takeOverExpiredLeases(tx, limit, leaseMs)));
      return mine;
    },
    { maxWait: 15_000 },
  );
  const dispatches = Promise.all(
    claimed.map((runId) =>
      dispatchOne(prisma, connections, runId, leaseMs).catch((error: unknown) => {
        // Left provisioning: its lease runs out and the next dispatch takes it over.
        runLogger(runId).error({ err: error }, `dispatching run ${runId} failed: ${(error as Error).message}`);
      }),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([dispatches, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]).finally(() => clearTimeout(timer));
  return claimed.length;
}

async function takeOverExpiredLeases(tx: Prisma.TransactionClient, limit: number, leaseMs: number): Promise<string[]> {
  const expired = await tx.$queryRaw<{ id: string; teamId: string; hostId: string | null; dispatchAttempts: number; lastError: string | null }[]>`
    SELECT id, "teamId", "hostId", "dispatchAttempts", "lastError" FROM "Run"
    WHERE state = 'provisioning' AND COALESCE("dispatchLeaseUntil", "updatedAt" + make_interval(secs => ${leaseMs / 1000})) < now()
    ORDER BY "dispatchLeaseUntil" NULLS FIRST LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
  for (const run of expired) {
    await tx.run.update({ where: { id: run.id }, data: dispatchClaim(leaseMs) });
    await appendAuditEvent(tx, {
      teamId: run.teamId,
      actorType: "system",
      action: "run.dispatch_resumed",
      targetType: "run",
      targetId: run.id,
      runId: run.id,
      hostId: run.hostId,
      data: { attempt: run.dispatchAttempts + 1, reason: run.lastError ?? "the control plane that dispatched it stopped before recording the agent's answer" },
    });
  }
  return expired.map((run) => run.id);
}

/** Creates and starts one run already claimed (moved to provisioning) by this process. */
export async function dispatchOne(prisma: PrismaClient, connections: HostConnections, runId: string, leaseMs = defaultDispatchLeaseMs): Promise<void> {
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { host: true } });
  if (!run.host) return;
  const host = run.host;
  const giveUp = async (message: string, { keepOnHost = false } = {}) => {
    // A run given up on must not leave a created-but-unstarted container on its host. A failed
    // build has none (the agent removed what it made) and keeps the build's output for the run's
    // logs, which destroying it now would delete; it goes when the run is destroyed.
    if (!keepOnHost)
      await connections
        .get(host)
        .request("run.destroy", { runId }, { timeoutMs: 60_000 })
        .catch(() => undefined);
    await prisma.$transaction((tx) => transitionRun(tx, { runId, from: ["provisioning"], to: "failed", reason: message, data: { lastError: message, dispatchLeaseUntil: null } }));
    announceRunStateChanged(runId);
  };
  let agentSpec: ReturnType<typeof validateRunSpec>["agentSpec"];
  try {
    ({ agentSpec } = validateRunSpec(run.spec, { storedRunId: run.id }));
  } catch (error) {
    return giveUp((error as Error).message);
  }
  // Values only for this request: never in the stored spec, nor in anything the agent keeps.
  let secrets: Record<string, string>;
  try {
    secrets = await teamSecretValues(prisma, run.teamId, referencedSecretNames(agentSpec));
  } catch (error) {
    // The database is away: the run stays provisioning and is dispatched again after the lease.
    if (error instanceof Error && "clientVersion" in error) return;
    return giveUp(`The run's secrets could not be read: ${(error as Error).message}`);
  }
  let grants: Awaited<ReturnType<typeof teamGrantCredentials>>;
  try {
    grants = await teamGrantCredentials(prisma, run.teamId, runGrantNames(agentSpec));
  } catch (error) {
    if (error instanceof Error && "clientVersion" in error) return;
    return giveUp(`The run's grants could not be read: ${(error as Error).message}`);
  }
  let buildContext: Buffer | undefined;
  try {
    if (agentSpec.build?.context) buildContext = await buildContextBytes(prisma, run.teamId, agentSpec.build.context);
  } catch (error) {
    if (error instanceof Error && "clientVersion" in error) return;
    return giveUp(`The run's build context could not be read: ${(error as Error).message}`);
  }
  // The run's recorded timeout (the spec's, or the team's default when it had none) is what the agent enforces.
  if (run.timeoutSeconds) agentSpec = { ...agentSpec, resources: { ...agentSpec.resources, timeoutSeconds: run.timeoutSeconds } };
  try {
    const agent = connections.get(host);
    const registryAuth = await registryAuthFor(prisma, run.teamId, agentSpec.image);
    // run.create includes the image pull, which may take minutes: the lease is held while it is answered.
    const lease = keepDispatchLease(prisma, runId, leaseMs);
    let created: { warm?: { poolId: string } | undefined } | undefined;
    try {
      // The context goes first: the build in run.create reads it from the host's store.
      if (agentSpec.build?.context && buildContext) await putBuildContextOnHost(agent, agentSpec.build.context, buildContext);
      created = await agent.request(
        "run.create",
        {
          runId,
          spec: { ...agentSpec, labels: { "bailey.team-id": run.teamId } },
          ...(registryAuth ? { registryAuth } : {}),
          ...(Object.keys(secrets).length || grants.length ? { credentials: { secrets, ...(grants.length ? { grants } : {}) } } : {}),
        },
        { timeoutMs: runCreateTimeoutMs },
      );
    } finally {
      lease.stop();
    }
    const started = await agent.request("run.start", { runId }, { timeoutMs: 60_000 });
    // Its log is being written on the host now: a follower waiting for the start opens it while the transition commits.
    announceRunStarted(runId, host.id);
    // The agent gave it a warm pool's container (said in run.create's answer, and again in run.start's).
    const warmPoolId = started.warm?.poolId ?? created?.warm?.poolId ?? null;
    await prisma.$transaction(async (tx) => {
      const moved = await transitionRun(tx, {
        runId,
        from: ["provisioning"],
        to: "running",
        actor: { actorType: "agent", actorId: run.hostId },
        data: { containerId: started.containerId, imageDigest: started.imageDigest, dispatchLeaseUntil: null, ...(warmPoolId ? { warmPoolId } : {}) },
      });
      // Ingested agent events may have moved it on already; the container id and digest still belong here.
      if (!moved) {
        await tx.run.updateMany({ where: { id: runId, containerId: null }, data: { containerId: started.containerId } });
        if (started.imageDigest) await tx.run.updateMany({ where: { id: runId, imageDigest: null }, data: { imageDigest: started.imageDigest } });
        if (warmPoolId) await tx.run.updateMany({ where: { id: runId, warmPoolId: null }, data: { warmPoolId } });
      }
      if (started.networkId && started.networkName) {
        await tx.network.upsert({
          where: { runId_name: { runId, name: started.networkName } },
          update: { networkId: started.networkId },
          create: { runId, hostId: host.id, name: started.networkName, networkId: started.networkId },
        });
      }
      for (const sidecar of started.sidecars) {
        await tx.sidecar.upsert({
          where: { runId_role: { runId, role: sidecar.role } },
          update: { containerId: sidecar.containerId, state: "running" },
          create: { runId, hostId: host.id, role: sidecar.role, name: sidecar.name, image: sidecar.image ?? agentSpec.buildkitImage ?? "", containerId: sidecar.containerId, state: "running" },
        });
      }
    });
    // Committed: the agent started it, whether this transition or its own events recorded it.
    observeRunStarted(run.createdAt);
    announceRunStateChanged(runId);
  } catch (error) {
    const message = (error as Error).message;
    // The agent did its part and only recording it failed (the database is away): nothing to
    // undo. The run stays provisioning; its events or the next dispatch after the lease record it.
    if (error instanceof Error && "clientVersion" in error) return;
    if (error instanceof RpcError && error.code === rpcErrorCodes.refused) await recordHostRefusal(prisma, run, error);
    if (isFailedBuild(error)) {
      // The build's steps (build.failed with its error) are in the host's journal now: taken in
      // before the run is reported failed, so whoever sees it failed also sees why in its timeline.
      await ingestHostEvents({ prisma, connections, host }).catch((ingestError: unknown) =>
        runLogger(runId, host.id).error(`ingesting ${host.id}'s events for failed build ${runId}: ${(ingestError as Error).message}`),
      );
      return giveUp(message, { keepOnHost: true });
    }
    if (error instanceof HostKeyMismatchError || (error instanceof RpcError && permanent.has(error.code))) return giveUp(message);
    if (isUnanswered(error)) {
      // The agent may have created or even started the run: only it can say. The run stays
      // provisioning and is dispatched again (idempotently) once a short lease runs out; if
      // the host stays away past the grace period the run is marked lost instead.
      if (run.dispatchAttempts >= maxUnansweredAttempts) return giveUp(`${message} (no answer after ${run.dispatchAttempts} attempts)`);
      await prisma.run.updateMany({
        where: { id: runId, state: "provisioning" },
        data: { lastError: message, dispatchLeaseUntil: new Date(Date.now() + Math.min(leaseMs, 5_000 * run.dispatchAttempts)) },
      });
      return;
    }
    if (run.dispatchAttempts >= maxDispatchAttempts) return giveUp(message);
    await prisma.$transaction((tx) =>
      transitionRun(tx, {
        runId,
        from: ["provisioning"],
        to: "scheduled",
        reason: `dispatch attempt ${run.dispatchAttempts} failed: ${message}`,
        data: { lastError: message, dispatchLeaseUntil: null },
      }),
    );
  }
}

/** The host's own allowlist (BAILEY_ALLOW) refused what the team policy let through: audited like a policy refusal. */
async function recordHostRefusal(prisma: PrismaClient, run: { id: string; teamId: string; hostId: string | null }, error: RpcError): Promise<void> {
  const data = (typeof error.data === "object" && error.data !== null ? error.data : {}) as Record<string, unknown>;
  await prisma.$transaction((tx) =>
    appendAuditEvent(tx, {
      teamId: run.teamId,
      actorType: "agent",
      actorId: run.hostId,
      action: "run.refused",
      targetType: "run",
      targetId: run.id,
      runId: run.id,
      hostId: run.hostId,
      data: { by: "host allowlist", ...data, reason: error.message },
    }),
  );
}

/** run.create's answer for a run whose image build failed: the agent undid the rest itself (protocol: data.during "build"). */
function isFailedBuild(error: unknown): boolean {
  return error instanceof RpcError && typeof error.data === "object" && error.data !== null && (error.data as { during?: unknown }).during === "build";
}

/** No answer from the agent: the connection failed or closed, or the call timed out. */
function isUnanswered(error: unknown): boolean {
  if (error instanceof RpcError) return error.code === rpcErrorCodes.connectionClosed || error.code === rpcErrorCodes.timeout;
  // Errors from opening the transport (refused, reset, SSH handshake) carry no RPC code.
  return error instanceof Error;
}
