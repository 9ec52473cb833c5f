import type { PrismaClient } from "@bailey/db";
import { Gauge } from "prom-client";
import { sharedMetric } from "./registry";

interface DatabaseSnapshot {
  runsByState: { state: string; count: number }[];
  queued: { depth: number; oldestAgeSeconds: number };
  hostsByStatus: { status: string; count: number }[];
  hostsSeen: { hostId: string; ageSeconds: number }[];
}

/**
 * Reads what the database gauges report, in a few indexed queries: runs grouped by state
 * (the (state, teamId, createdAt) index), the queue, and hosts. Every gauge of one scrape shares
 * one snapshot, so a scrape costs four queries however many gauges read it.
 */
async function readSnapshot(prisma: PrismaClient): Promise<DatabaseSnapshot> {
  const [runsByState, [queued], hostsByStatus, hostsSeen] = await Promise.all([
    prisma.$queryRaw<{ state: string; count: bigint }[]>`SELECT state::text AS state, count(*) AS count FROM "Run" GROUP BY state`,
    prisma.$queryRaw<{ depth: bigint; oldest: Date | null }[]>`SELECT count(*) AS depth, min("createdAt") AS oldest FROM "Run" WHERE state = 'queued'`,
    prisma.$queryRaw<{ status: string; count: bigint }[]>`SELECT status::text AS status, count(*) AS count FROM "Host" GROUP BY status`,
    prisma.$queryRaw<{ id: string; age: number | null }[]>`
      SELECT id, EXTRACT(EPOCH FROM (now() - "lastSeenAt"))::float8 AS age FROM "Host" WHERE status IN ('online', 'draining', 'offline')`,
  ]);
  return {
    runsByState: runsByState.map((row) => ({ state: row.state, count: Number(row.count) })),
    queued: { depth: Number(queued?.depth ?? 0), oldestAgeSeconds: queued?.oldest ? Math.max(0, (Date.now() - queued.oldest.getTime()) / 1000) : 0 },
    hostsByStatus: hostsByStatus.map((row) => ({ status: row.status, count: Number(row.count) })),
    hostsSeen: hostsSeen.filter((row) => row.age !== null).map((row) => ({ hostId: row.id, ageSeconds: Math.max(0, row.age ?? 0) })),
  };
}

const source = ((globalThis as unknown as { baileyDatabaseMetricsSource?: { prisma?: () => PrismaClient } }).baileyDatabaseMetricsSource ??= {});

// Every state and status is reported, 0 when none: a series that vanishes reads as "no data", not as 0.
const runStates = ["queued", "scheduled", "provisioning", "running", "stopping", "succeeded", "failed", "cancelled", "lost", "timed_out"];
const hostStatuses = ["pending", "online", "offline", "draining", "key_mismatch", "removed"];

/**
 * Makes the gauges read from Postgres at scrape time. `prisma` is asked for on each scrape, so
 * the process's shared client is used whenever it was made. A database that cannot be read
 * sets bailey_database_up to 0 and leaves the other gauges out of that scrape, rather than
 * failing the whole of /metrics (process and HTTP metrics still matter then).
 */
export function registerDatabaseMetrics(prisma: () => PrismaClient): void {
  // The latest registration's client is read (the gauges are made once per process).
  source.prisma = prisma;
  let pending: Promise<DatabaseSnapshot | null> | null = null;
  // The gauges of one scrape are collected together (prom-client collects every metric at once):
  // they share the read in flight. A scrape after it has settled reads again, so what it reports is
  // never older than the scrape, nor from a client that has since been replaced.
  const snapshot = () => {
    pending ??= readSnapshot(source.prisma!())
      .catch(() => null)
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (gauge: Gauge, snapshot: DatabaseSnapshot) => void) =>
    sharedMetric(
      name,
      (registers) =>
        new Gauge({
          name,
          help,
          labelNames,
          registers,
          async collect() {
            this.reset();
            const current = await snapshot();
            if (current) fill(this, current);
          },
        }),
    );

  sharedMetric(
    "bailey_database_up",
    (registers) =>
      new Gauge({
        name: "bailey_database_up",
        help: "1 when this scrape could read Postgres, 0 when it could not (the database gauges are then absent).",
        registers,
        async collect() {
          this.set((await snapshot()) ? 1 : 0);
        },
      }),
  );
  gauge("bailey_runs", "Runs in each state, from Postgres at scrape time.", ["state"], (metric, current) => {
    for (const state of runStates) metric.set({ state }, current.runsByState.find((row) => row.state === state)?.count ?? 0);
  });
  gauge("bailey_run_queue_depth", "Runs queued (submitted, not yet placed on a host).", [], (metric, current) => metric.set(current.queued.depth));
  gauge("bailey_run_queue_oldest_age_seconds", "Age of the oldest queued run; 0 when the queue is empty.", [], (metric, current) => metric.set(current.queued.oldestAgeSeconds));
  gauge("bailey_hosts", "Hosts in each status.", ["status"], (metric, current) => {
    for (const status of hostStatuses) metric.set({ status }, current.hostsByStatus.find((row) => row.status === status)?.count ?? 0);
  });
  gauge(
    "bailey_host_last_seen_age_seconds",
    "Seconds since each enrolled host last answered or had its journal ingested: events it records meanwhile are not in Postgres yet, so this bounds the ingestion lag of a host that stopped being ingested.",
    ["host_id"],
    (metric, current) => {
      for (const host of current.hostsSeen) metric.set({ host_id: host.hostId }, host.ageSeconds);
    },
  );
}
