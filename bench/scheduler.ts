// Placement throughput: 5,000 queued runs across 50 hosts (5 teams × 10 hosts, capacity 10
// each, so every run fits), placed by the scheduler's placement step against Postgres —
// capacity accounting only, no agents. Baseline: one bare SQL UPDATE giving every run a host,
// the floor any placement that writes each run must pay.
import { placeQueuedRuns } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase } from "@bailey/db/testing";
import type { BenchRow } from "./measure";

const teams = 5;
const hostsPerTeam = 10;
const runsPerTeam = 1000;

async function seed(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRaw`TRUNCATE "Run", "Host", "Team", "AuditEvent", "AuditChainHead" CASCADE`;
  for (let t = 0; t < teams; t++) {
    const team = await prisma.team.create({ data: { slug: `bench-${t}`, name: `Bench ${t}` } });
    await prisma.host.createMany({
      data: Array.from({ length: hostsPerTeam }, (_, h) => ({
        teamId: team.id,
        name: `host-${h}`,
        address: "127.0.0.1",
        status: "online" as const,
        capacityRuns: runsPerTeam / hostsPerTeam,
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
      })),
    });
    await prisma.run.createMany({
      data: Array.from({ length: runsPerTeam }, (_, r) => ({ teamId: team.id, spec: {}, image: "x", dependencies: [], createdAt: new Date(Date.now() - (runsPerTeam - r) * 1000) })),
    });
  }
}

export async function benchScheduler(): Promise<{ rows: BenchRow[]; placementsPerSecond: number; rounds: number; roundMs: number[] }> {
  const db = await createScratchDatabase();
  try {
    await migrateDatabase(db.url);
    const prisma = createPrismaClient(db.url, { maxConnections: 4 });
    try {
      const total = teams * runsPerTeam;
      await seed(prisma);
      const bareStart = performance.now();
      await prisma.$executeRaw`UPDATE "Run" r SET state = 'scheduled', "hostId" = (SELECT id FROM "Host" h WHERE h."teamId" = r."teamId" LIMIT 1) WHERE state = 'queued'`;
      const bareMs = performance.now() - bareStart;

      await seed(prisma);
      const roundMs: number[] = [];
      let placed = 0;
      const start = performance.now();
      while (placed < total) {
        const roundStart = performance.now();
        const now = await placeQueuedRuns({ prisma });
        roundMs.push(performance.now() - roundStart);
        if (now === 0) throw new Error(`placement stalled at ${placed} of ${total}`);
        placed += now;
      }
      const placeMs = performance.now() - start;
      const rows: BenchRow[] = [
        { label: `bare UPDATE of ${total} runs (baseline floor)`, iterations: 1, median: bareMs, p90: bareMs, ratio: 1 },
        { label: `placeQueuedRuns until ${total} runs are placed (${roundMs.length} rounds)`, iterations: 1, median: placeMs, p90: placeMs, ratio: placeMs / bareMs },
      ];
      return { rows, placementsPerSecond: total / (placeMs / 1000), rounds: roundMs.length, roundMs };
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    await db.drop();
  }
}
