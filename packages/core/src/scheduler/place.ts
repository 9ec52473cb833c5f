import { Prisma, type PrismaClient } from "@bailey/db";
import type { RunSpec } from "@bailey/protocol";
import { appendAuditEvents } from "../audit";
import { cachedImageKeys, hostHasImage } from "../images/image-match";
import { activeRunStates } from "../runs/state-machine";
import { transitionRun } from "../runs/transition-run";
import { defaultDispatchLeaseMs, dispatchClaim } from "./dispatch-lease";
import { type HostTraits, hostFits } from "./host-fit";
import { agentSpecsOf, type HostWarmPool, idleWarmPools, warmPoolFor } from "./warm-preference";

interface QueuedRun {
  id: string;
  teamId: string;
  image: string | null;
  sandbox: "gvisor" | "none";
  dependencies: string[];
  placement: { labels?: Record<string, string> } | null;
  build: boolean;
  workspace: boolean;
  createdAt: Date;
  /** The spec its agent gets, known when some candidate host has an idle warm pool. */
  agentSpec?: RunSpec;
}

interface CandidateHost extends HostTraits {
  id: string;
  teamId: string;
  active: number;
  /** Keys of the images the host has (images/image-match.ts): placement prefers a host that need not pull. */
  imageKeys: Set<string>;
  /** Its pools that had idle containers at its last report (absent: none). */
  warmPools?: HostWarmPool[];
}

/**
 * The host a run fits on: same team, free capacity, required features, matching labels, allowed
 * by its BAILEY_ALLOW; one with an idle warm container the run can claim first, then one that
 * has the run's image, then least loaded.
 */
export function chooseHost(run: QueuedRun, hosts: CandidateHost[]): CandidateHost | null {
  const fits = hosts.filter((host) => host.teamId === run.teamId && host.active < host.capacityRuns && hostFits(run, host));
  const warm = (host: CandidateHost) => Number(warmPoolFor(run.agentSpec, host.warmPools) !== undefined);
  fits.sort((a, b) => warm(b) - warm(a) || Number(hostHasImage(b.imageKeys, run.image)) - Number(hostHasImage(a.imageKeys, run.image)) || a.active / a.capacityRuns - b.active / b.capacityRuns);
  return fits[0] ?? null;
}

/** Fair share: teams with fewer active runs go first; within a team, oldest first. */
export function fairOrder(runs: QueuedRun[], activeByTeam: Map<string, number>): QueuedRun[] {
  const load = new Map(activeByTeam);
  const byTeam = new Map<string, QueuedRun[]>();
  for (const run of [...runs].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    byTeam.set(run.teamId, [...(byTeam.get(run.teamId) ?? []), run]);
  }
  const ordered: QueuedRun[] = [];
  while (byTeam.size) {
    const [team] = [...byTeam.keys()].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0));
    const queue = byTeam.get(team!)!;
    ordered.push(queue.shift()!);
    load.set(team!, (load.get(team!) ?? 0) + 1);
    if (!queue.length) byTeam.delete(team!);
  }
  return ordered;
}

/**
 * Places queued runs on hosts. Queued rows are claimed with FOR UPDATE SKIP LOCKED and the
 * candidate hosts are locked, so concurrent control planes never place a run twice nor
 * overfill a host.
 */
export async function placeQueuedRuns({ prisma, limit = 500 }: { prisma: PrismaClient; limit?: number }): Promise<number> {
  return (await placeAndClaim({ prisma, limit, claimForDispatch: [] })).placed;
}

/**
 * Placement, and for the runs named in `claimForDispatch` also the dispatcher's claim
 * (scheduled → provisioning) in the same transaction: a new run's way to its host then
 * costs one transaction fewer.
 */
export async function placeAndClaim({
  prisma,
  limit = 500,
  perTeam = 100,
  claimForDispatch,
  leaseMs = defaultDispatchLeaseMs,
}: {
  prisma: PrismaClient;
  limit?: number;
  perTeam?: number;
  claimForDispatch: string[];
  leaseMs?: number;
}): Promise<{ placed: number; claimed: string[] }> {
  return prisma.$transaction(
    async (tx) => {
      // Only teams with a host that can take runs, and at most perTeam of each team's oldest:
      // otherwise a team whose runs can go nowhere (no hosts) fills the window and starves
      // every other team's queue.
      const runs = await tx.$queryRaw<QueuedRun[]>`
        SELECT id, "teamId", image, sandbox::text AS sandbox, dependencies, placement, (spec -> 'build') IS NOT NULL AS build, (spec -> 'workspace') IS NOT NULL AS workspace, "createdAt"
        FROM "Run" WHERE id IN (
          SELECT id FROM (
            SELECT id, row_number() OVER (PARTITION BY "teamId" ORDER BY "createdAt", id) AS position
            FROM "Run"
            WHERE state = 'queued' AND "teamId" IN (SELECT "teamId" FROM "Host" WHERE status = 'online')
          ) AS oldest WHERE position <= ${perTeam}
        )
        -- Rechecked on the locked row: the subquery's snapshot may still call queued a run
        -- another control plane placed and committed while this statement ran.
        AND state = 'queued'
        ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      if (!runs.length) return { placed: 0, claimed: [] };
      const teamIds = [...new Set(runs.map((run) => run.teamId))];
      // NO KEY UPDATE: inserting a row that references a host (a Network, a HostEvent) takes a
      // KEY SHARE lock on it, which FOR UPDATE would block — a deadlock against an ingest that
      // holds the audit head this placement waits for.
      const hosts = await tx.$queryRaw<(Omit<CandidateHost, "active" | "imageKeys"> & { cachedImages: unknown; poolStatus: unknown })[]>`
        SELECT id, "teamId", name, labels, "capacityRuns", "hasNetworks", "hasSidecars", "hasBuilds", "hasRunsc", "hasRunscHostUds", "hasWorkspaces", "runtimeType", "allowedCapabilities", "cachedImages", "poolStatus"
        FROM "Host" WHERE status = 'online' AND "teamId" = ANY(${teamIds}) ORDER BY id FOR NO KEY UPDATE`;
      const counts = await tx.run.groupBy({ by: ["hostId"], where: { hostId: { in: hosts.map((host) => host.id) }, state: { in: [...activeRunStates] } }, _count: true });
      const teamCounts = await tx.run.groupBy({ by: ["teamId"], where: { teamId: { in: teamIds }, state: { in: [...activeRunStates] } }, _count: true });
      const warmPools = await idleWarmPools(tx, hosts);
      const candidates: CandidateHost[] = hosts.map(({ cachedImages, poolStatus: _poolStatus, ...host }) => ({
        ...host,
        active: counts.find((count) => count.hostId === host.id)?._count ?? 0,
        imageKeys: cachedImageKeys(cachedImages),
        ...(warmPools.has(host.id) ? { warmPools: warmPools.get(host.id) } : {}),
      }));
      // Specs are read only when some host has an idle pool to match them against.
      if (warmPools.size) {
        const specs = await agentSpecsOf(
          tx,
          runs.map((run) => run.id),
        );
        for (const run of runs) {
          const spec = specs.get(run.id);
          if (spec) run.agentSpec = spec;
        }
      }
      const assignments: { runId: string; teamId: string; hostId: string }[] = [];
      for (const run of fairOrder(runs, new Map(teamCounts.map((count) => [count.teamId, count._count])))) {
        const host = chooseHost(run, candidates);
        if (!host) continue;
        host.active += 1;
        // The next run counts on one idle container fewer there.
        const pool = warmPoolFor(run.agentSpec, host.warmPools);
        if (pool) pool.idle -= 1;
        assignments.push({ runId: run.id, teamId: run.teamId, hostId: host.id });
      }
      await scheduleRuns(tx, assignments);
      const claimed: string[] = [];
      for (const { runId } of assignments) {
        if (claimForDispatch.includes(runId) && (await transitionRun(tx, { runId, from: ["scheduled"], to: "provisioning", data: dispatchClaim(leaseMs) }))) claimed.push(runId);
      }
      const placed = assignments.length;
      return { placed, claimed };
    },
    { timeout: 30_000, maxWait: 15_000 },
  );
}

/**
 * queued → scheduled for many runs at once: one UPDATE, one insert of transitions, one batch
 * of audit events — the same records transitionRun writes one by one, at a fraction of the
 * round trips. The runs are locked by the caller's SELECT … FOR UPDATE and known to be queued.
 */
async function scheduleRuns(tx: Prisma.TransactionClient, assignments: { runId: string; teamId: string; hostId: string }[]): Promise<void> {
  if (!assignments.length) return;
  const reason = (hostId: string) => `placed on host ${hostId}`;
  const values = Prisma.join(assignments.map(({ runId, hostId }) => Prisma.sql`(${runId}, ${hostId})`));
  const updated = await tx.$executeRaw`
    UPDATE "Run" AS r SET state = 'scheduled', "hostId" = v.host, "scheduledAt" = now(), "stateReason" = 'placed on host ' || v.host, "updatedAt" = now(),
      "waitReason" = NULL, "waitReasonAt" = NULL, "unplaceableSince" = NULL
    FROM (VALUES ${values}) AS v(id, host) WHERE r.id = v.id AND r.state = 'queued'`;
  if (updated !== assignments.length) throw new Error(`placement expected ${assignments.length} queued runs, updated ${updated}`);
  await tx.runTransition.createMany({ data: assignments.map(({ runId, hostId }) => ({ runId, fromState: "queued" as const, toState: "scheduled" as const, reason: reason(hostId) })) });
  await appendAuditEvents(
    tx,
    assignments.map(({ runId, teamId, hostId }) => ({
      teamId,
      actorType: "system" as const,
      action: "run.scheduled",
      targetType: "run",
      targetId: runId,
      runId,
      hostId,
      data: { from: "queued", to: "scheduled", reason: reason(hostId) },
    })),
  );
}
