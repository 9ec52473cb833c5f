import { Prisma, type PrismaClient } from "@bailey/db";
import { appendAuditEvents } from "../audit";
import { activeRunStates } from "../runs/state-machine";
import { type TeamHost, type WaitVerdict, waitVerdict } from "./wait-reason";

/**
 * Queued runs that ask the same of the same team's hosts, and whose stored reason is the same:
 * they are explained (and rewritten) together. Grouping is what keeps a tick cheap with a
 * deep queue: a steady queue costs one grouped read and no writes.
 */
interface QueuedGroup {
  teamId: string;
  sandbox: "gvisor" | "none";
  dependencies: string[];
  placement: { labels?: Record<string, string> } | null;
  build: boolean;
  workspace: boolean;
  waitReason: string | null;
  unplaceable: boolean;
  /** Some run of the group has been unplaceable for the team's unplaceableTimeoutSeconds (on the database's clock). */
  expired: boolean;
}

export interface ExplainReport {
  /** Queued runs whose wait reason was written this tick. */
  explained: number;
  /** Runs failed because no host could take them for the team's unplaceableTimeoutSeconds. */
  failed: number;
}

/**
 * Refreshes why each queued run waits (Run.waitReason, unplaceableSince), writing only runs
 * whose reason changed and at most `maxWrites` of them per call (oldest first; the rest on
 * the next ticks), then fails the runs no host could take for the team's unplaceable timeout.
 */
export async function explainQueuedRuns({
  prisma,
  maxWrites = 1000,
  maxGroups = 2000,
  teamId,
}: {
  prisma: PrismaClient;
  maxWrites?: number;
  maxGroups?: number;
  /** Only this team's queue: a submission that found no host is explained at once, not at the next tick. */
  teamId?: string;
}): Promise<ExplainReport> {
  const report: ExplainReport = { explained: 0, failed: 0 };
  const ofTeam = teamId ? Prisma.sql`AND r."teamId" = ${teamId}` : Prisma.empty;
  const groups = await prisma.$queryRaw<QueuedGroup[]>`
    SELECT r."teamId", r.sandbox::text AS sandbox, r.dependencies, r.placement, (r.spec -> 'build') IS NOT NULL AS build, (r.spec -> 'workspace') IS NOT NULL AS workspace, r."waitReason",
           (r."unplaceableSince" IS NOT NULL) AS unplaceable,
           bool_or(r."unplaceableSince" <= now() - make_interval(secs => t."unplaceableTimeoutSeconds")) AS expired
    FROM "Run" r JOIN "Team" t ON t.id = r."teamId"
    WHERE r.state = 'queued' ${ofTeam}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY min(r."createdAt")
    LIMIT ${maxGroups}`;
  if (!groups.length) return report;
  const hostsByTeam = await teamHosts(prisma, [...new Set(groups.map((group) => group.teamId))]);
  const verdicts = new Map<string, WaitVerdict>();
  for (const group of groups) {
    const key = JSON.stringify([group.teamId, group.sandbox, group.dependencies, group.placement, group.build, group.workspace]);
    const verdict = verdicts.get(key) ?? waitVerdict(group, hostsByTeam.get(group.teamId) ?? []);
    verdicts.set(key, verdict);
    if ((group.waitReason !== verdict.reason || group.unplaceable !== verdict.unplaceable) && report.explained < maxWrites) {
      report.explained += await rewriteReason(prisma, group, verdict, maxWrites - report.explained);
    }
    // Only what is unplaceable now: a host that came back since the clock started saves them.
    if (verdict.unplaceable && group.unplaceable && group.expired) report.failed += await failUnplaceable(prisma, group, verdict, maxWrites);
  }
  return report;
}

async function teamHosts(prisma: PrismaClient, teamIds: string[]): Promise<Map<string, TeamHost[]>> {
  const hosts = await prisma.host.findMany({
    where: { teamId: { in: teamIds }, status: { not: "removed" } },
    select: {
      id: true,
      teamId: true,
      name: true,
      status: true,
      labels: true,
      capacityRuns: true,
      hasNetworks: true,
      hasSidecars: true,
      hasBuilds: true,
      hasRunsc: true,
      hasRunscHostUds: true,
      hasWorkspaces: true,
      runtimeType: true,
      allowedCapabilities: true,
    },
  });
  const counts = await prisma.run.groupBy({ by: ["hostId"], where: { hostId: { in: hosts.map((host) => host.id) }, state: { in: [...activeRunStates] } }, _count: true });
  const byTeam = new Map<string, TeamHost[]>();
  for (const { teamId, id, labels, status, ...host } of hosts) {
    const active = counts.find((count) => count.hostId === id)?._count ?? 0;
    byTeam.set(teamId, [...(byTeam.get(teamId) ?? []), { ...host, status: status as TeamHost["status"], labels: labels as Record<string, string>, active }]);
  }
  return byTeam;
}

/** The group's runs, as the grouped read saw them; rechecked on the locked rows. */
function sameGroup(group: QueuedGroup): Prisma.Sql {
  return Prisma.sql`state = 'queued' AND "teamId" = ${group.teamId} AND sandbox::text = ${group.sandbox}
    AND dependencies = ${group.dependencies}::text[] AND placement = ${JSON.stringify(group.placement)}::jsonb AND (spec -> 'build' IS NOT NULL) = ${group.build}
    AND (spec -> 'workspace' IS NOT NULL) = ${group.workspace}`;
}

async function rewriteReason(prisma: PrismaClient, group: QueuedGroup, verdict: WaitVerdict, budget: number): Promise<number> {
  return prisma.$executeRaw`
    UPDATE "Run" SET "waitReason" = ${verdict.reason}, "waitReasonAt" = now(),
      "unplaceableSince" = CASE WHEN ${verdict.unplaceable} THEN coalesce("unplaceableSince", now()) ELSE NULL END
    WHERE id IN (
      SELECT id FROM "Run" WHERE ${sameGroup(group)}
        AND "waitReason" IS NOT DISTINCT FROM ${group.waitReason} AND ("unplaceableSince" IS NOT NULL) = ${group.unplaceable}
      ORDER BY "createdAt" LIMIT ${budget} FOR UPDATE SKIP LOCKED
    ) AND state = 'queued'`;
}

/**
 * queued → failed for a batch of the group's expired runs: one UPDATE, one insert of
 * transitions, one batch of audit events, as transitionRun would write them one by one.
 */
async function failUnplaceable(prisma: PrismaClient, group: QueuedGroup, verdict: WaitVerdict, budget: number): Promise<number> {
  const reason = `no host can take this run: ${verdict.reason}`;
  return prisma.$transaction(
    async (tx) => {
      const failed = await tx.$queryRaw<{ id: string; teamId: string }[]>`
        UPDATE "Run" SET state = 'failed', "stateReason" = ${reason}, "finishedAt" = now(), "updatedAt" = now()
        WHERE id IN (
          SELECT r.id FROM "Run" r JOIN "Team" t ON t.id = r."teamId"
          WHERE ${sameGroup(group)} AND r."unplaceableSince" <= now() - make_interval(secs => t."unplaceableTimeoutSeconds")
          ORDER BY r."createdAt" LIMIT ${budget} FOR UPDATE OF r SKIP LOCKED
        ) AND state = 'queued' AND "unplaceableSince" IS NOT NULL
        RETURNING id, "teamId"`;
      if (!failed.length) return 0;
      await tx.runTransition.createMany({ data: failed.map(({ id }) => ({ runId: id, fromState: "queued" as const, toState: "failed" as const, reason })) });
      await appendAuditEvents(
        tx,
        failed.map(({ id, teamId }) => ({
          teamId,
          actorType: "system" as const,
          action: "run.failed",
          targetType: "run",
          targetId: id,
          runId: id,
          hostId: null,
          data: { from: "queued", to: "failed", reason },
        })),
      );
      return failed.length;
    },
    { timeout: 30_000, maxWait: 15_000 },
  );
}
