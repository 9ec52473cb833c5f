import { HostKeyMismatchError } from "@bailey/agent-client";
import type { PrismaClient } from "@bailey/db";
import { pruneBuildContexts } from "../build-contexts/prune-build-contexts";
import { claimAgentIdentity } from "../hosts/agent-identity";
import { recordAllowedCapabilities } from "../hosts/allowed-capabilities";
import { refreshCachedImagesIfDue } from "../images/cached-images";
import { carryOutImagePulls } from "../images/carry-out-image-pulls";
import { recordHostSamples } from "../hosts/host-activity";
import { recordHostKeyMismatch } from "../hosts/host-key-mismatch";
import { activeRunStates } from "../runs/state-machine";
import { transitionRun } from "../runs/transition-run";
import { dispatchScheduledRuns } from "./dispatch";
import type { HostConnections } from "./host-connections";
import { ingestHostEvents } from "./ingest";
import { explainQueuedRuns } from "./explain-waits";
import { placeQueuedRuns } from "./place";
import { reconcileHost } from "./reconcile";
import { syncHostPools } from "./sync-pools";
import { shipHostLogs } from "../logs/ship-run-logs";
import type { BlobStore } from "../blobs/blob-store";
import { endWithStoredResults, resultsLostWithHost } from "../results/lost-results";
import { shipHostResults } from "../results/ship-run-results";
import { expireRunBlobsIfDue } from "../results/expire-run-blobs";
import { enqueueHostWebhook } from "../webhooks/enqueue";
import { logger } from "../observability/logger";

/** Made on use, so a logger set later (tests, the launcher) is the one written to. */
const schedulerLog = () => logger().child({ component: "scheduler" });
const reconcileEveryMs = 5 * 60_000;
const pruneBuildContextsEveryMs = 60 * 60_000;
let buildContextsPrunedAt = 0;

export interface TickOptions {
  prisma: PrismaClient;
  connections: HostConnections;
  /** A host not heard from for this long is offline. */
  offlineAfterMs?: number;
  /** Runs on a host offline this long are lost: nobody can watch them. */
  lostAfterMs?: number;
  /** How long a dispatcher owns a claimed run before another takes it over. */
  dispatchLeaseMs?: number;
  /** Where runs' logs and results are stored; without it nothing is shipped (runs with results wait). */
  blobs?: BlobStore;
}

export interface TickReport {
  ingested: number;
  /** Resources hosts removed because no run owns them. */
  reconciled: number;
  placed: number;
  /** Queued runs whose wait reason changed, and runs failed because no host could take them in time. */
  waits: { explained: number; failed: number };
  dispatched: number;
  offline: string[];
  lost: number;
  /** Pre-pulls started (they finish in the background). */
  imagePulls: number;
  /** Hosts whose warm pools were pushed with pool.configure. */
  poolsConfigured: number;
}

/**
 * One stateless scheduler step; any number of control planes may run it at once. It reads
 * and writes only Postgres and the agents, so nothing depends on one instance staying up.
 */
export async function tick({ prisma, connections, offlineAfterMs = 30_000, lostAfterMs = 120_000, dispatchLeaseMs, blobs }: TickOptions): Promise<TickReport> {
  const report: TickReport = { ingested: 0, reconciled: 0, placed: 0, waits: { explained: 0, failed: 0 }, dispatched: 0, offline: [], lost: 0, imagePulls: 0, poolsConfigured: 0 };
  const hosts = await prisma.host.findMany({ where: { status: { in: ["online", "draining", "offline"] } } });
  // The hosts whose agent answered this tick: their warm pools are synced after the loop, in one batch.
  const answered: typeof hosts = [];
  await Promise.all(
    hosts.map(async (host) => {
      try {
        // Before anything touches the agent's journal or containers: a second row for a machine
        // another row holds would ack that row's events and sweep its runs.
        const hello = await connections.get(host).hello();
        if (!(await claimAgentIdentity({ prisma, host, agentId: hello.agentId }))) return connections.forget(host.id);
        // It answered, so it is seen now, events or not: a host whose runs are quiet (sleep 3600)
        // kept the time of its last event, and one passing error then marked it offline and, two
        // minutes on, lost its runs (seen in the webhooks SIGKILL fault test).
        await prisma.host.update({ where: { id: host.id }, data: { lastSeenAt: new Date() } });
        await recordAllowedCapabilities(prisma, host, hello);
        report.ingested += await ingestHostEvents({ prisma, connections, host });
        if (blobs)
          await shipHostLogs({ prisma, blobs, agent: connections.get(host), hostId: host.id }).catch((error: unknown) =>
            schedulerLog()
              .child({ hostId: host.id })
              .error(`shipping logs from host ${host.name} failed (retried next tick): ${(error as Error).message}`),
          );
        // A bounded share per tick: a 200 MiB artifact takes a few ticks and never holds up the rest.
        if (blobs)
          await shipHostResults({ prisma, blobs, agent: connections.get(host), hostId: host.id }).catch((error: unknown) =>
            schedulerLog()
              .child({ hostId: host.id })
              .error(`shipping results from host ${host.name} failed (retried next tick): ${(error as Error).message}`),
          );
        await refreshCachedImagesIfDue({ prisma, connections, host });
        answered.push(host);
        if (host.status === "offline")
          await prisma.$transaction(async (tx) => {
            // Conditional, so of two control planes ticking at once only one sends host.online.
            const { count } = await tx.host.updateMany({ where: { id: host.id, status: "offline" }, data: { status: host.drainedAt ? "draining" : "online", statusReason: null } });
            if (count === 1) await enqueueHostWebhook(tx, host.id, "host.online");
          });
        // A returning host, and every host now and then, drops what nobody owns any more.
        if (host.status === "offline" || !host.lastReconciledAt || Date.now() - host.lastReconciledAt.getTime() > reconcileEveryMs) {
          report.reconciled += (await reconcileHost({ prisma, connections, host })).length;
        }
      } catch (error) {
        if (error instanceof HostKeyMismatchError) return recordHostKeyMismatch({ prisma, hostId: host.id, error });
        const silentFor = Date.now() - (host.lastSeenAt?.getTime() ?? 0);
        if (host.status !== "offline" && silentFor > offlineAfterMs) {
          await prisma.$transaction(async (tx) => {
            const { count } = await tx.host.updateMany({ where: { id: host.id, status: host.status }, data: { status: "offline", statusReason: (error as Error).message } });
            if (count === 1) await enqueueHostWebhook(tx, host.id, "host.offline");
          });
          report.offline.push(host.id);
        }
      }
    }),
  );
  await recordHostSamples(prisma);
  // Before placement, so it prefers hosts by what their pools hold now.
  report.poolsConfigured = (
    await syncHostPools({ prisma, connections, hosts: answered }).catch((error: unknown) => {
      schedulerLog().error(`syncing warm pools failed (retried next tick): ${(error as Error).message}`);
      return { configured: 0 };
    })
  ).configured;
  report.lost = await markLostRuns(prisma, lostAfterMs);
  report.placed = await placeQueuedRuns({ prisma });
  report.waits = await explainQueuedRuns({ prisma });
  report.dispatched = await dispatchScheduledRuns({ prisma, connections, ...(dispatchLeaseMs ? { leaseMs: dispatchLeaseMs } : {}) });
  report.imagePulls = (await carryOutImagePulls({ prisma, connections })).started;
  if (Date.now() - buildContextsPrunedAt > pruneBuildContextsEveryMs) {
    buildContextsPrunedAt = Date.now();
    await pruneBuildContexts(prisma).catch((error: unknown) => schedulerLog().error(`pruning old build contexts failed: ${(error as Error).message}`));
  }
  if (blobs) await expireRunBlobsIfDue({ prisma, blobs }).catch((error: unknown) => schedulerLog().error(`removing expired logs and results failed: ${(error as Error).message}`));
  return report;
}

async function markLostRuns(prisma: PrismaClient, lostAfterMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - lostAfterMs);
  const stranded = await prisma.run.findMany({
    where: { state: { in: [...activeRunStates] }, host: { status: "offline", lastSeenAt: { lt: cutoff } } },
    select: { id: true, spec: true, resultsState: true, endedState: true, host: { select: { name: true } } },
  });
  let lost = 0;
  for (const { id, spec, resultsState, endedState, host } of stranded) {
    // A run that had ended and was shipping its results ends as it ended, with what is stored.
    if (await endWithStoredResults(prisma, { id, resultsState, endedState }, host?.name ?? "?")) continue;
    const moved = await prisma.$transaction((tx) =>
      transitionRun(tx, {
        runId: id,
        from: [...activeRunStates],
        to: "lost",
        reason: "its host stopped answering for longer than the grace period",
        data: resultsLostWithHost(spec, host?.name ?? "?"),
      }),
    );
    if (moved) lost += 1;
  }
  return lost;
}
