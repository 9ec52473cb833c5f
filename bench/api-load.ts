// GET /api/v1/runs with 100,000 runs in the team, under a steady load of concurrent clients,
// beside GET /api/health (same server, same load pattern, a trivial database ping).
import { createPrismaClient } from "@bailey/db";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import type { BenchRow } from "./measure";

const runsInTeam = Number(process.env.BAILEY_BENCH_API_RUNS ?? 100_000);
const clients = Number(process.env.BAILEY_BENCH_API_CLIENTS ?? 8);
const seconds = Number(process.env.BAILEY_BENCH_API_SECONDS ?? 10);

async function load(url: string, headers: Record<string, string>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export async function benchApiLoad(): Promise<{ rows: (BenchRow & { p99: number; perSecond: number })[] }> {
  const teardown = await globalSetup();
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 2 });
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const states = ["succeeded", "failed", "running", "queued", "cancelled"] as const;
    const base = Date.now();
    for (let offset = 0; offset < runsInTeam; offset += 10_000) {
      // Queued runs of a team with a host would be placed by the launcher's scheduler: keep them final.
      await prisma.run.createMany({
        data: Array.from({ length: Math.min(10_000, runsInTeam - offset) }, (_, i) => ({
          teamId: team.id,
          name: `load-${offset + i}`,
          image: "bailey-test/busybox:latest",
          state: states[(offset + i) % 3 === 2 ? 0 : (offset + i) % 2],
          dependencies: [],
          spec: {},
          createdAt: new Date(base - (offset + i) * 1000),
        })),
      });
    }
    const url = process.env.BAILEY_E2E_BASE_URL!;
    const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}` };
    await load(`${url}/api/health`, {}); // warm-up
    const health = await load(`${url}/api/health`, {});
    const firstPage = await load(`${url}/api/v1/runs?limit=50`, auth);
    const filtered = await load(`${url}/api/v1/runs?limit=50&state=failed&q=load-9`, auth);
    const row = (label: string, sorted: number[]) => ({
      label,
      iterations: sorted.length,
      median: at(sorted, 0.5),
      p90: at(sorted, 0.9),
      p99: at(sorted, 0.99),
      perSecond: sorted.length / seconds,
      ratio: at(sorted, 0.5) / at(health, 0.5),
    });
    return {
      rows: [row("GET /api/health (baseline)", health), row(`GET /api/v1/runs?limit=50, ${runsInTeam} runs in the team`, firstPage), row("GET /api/v1/runs filtered by state and text", filtered)],
    };
  } finally {
    await prisma.$disconnect();
    await teardown();
  }
}
