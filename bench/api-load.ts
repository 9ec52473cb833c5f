// GET /api/v1/runs with 100,000 runs in the team, under a steady load of concurrent clients,
// beside two same-process baselines: GET /api/health (same server, a trivial database ping) and
// the list's own page query sent as raw SQL from this process (the same driver Bailey uses, Prisma
// over pg; no HTTP, no auth, no Next).
// On a machine with ≥ 2 cores, Bailey and Postgres run on core 1 and this load generator on core
// 0 (taskset), so the generator's own CPU does not queue in front of the server's.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { mintToken } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import type { BenchRow } from "./measure";

const runsInTeam = Number(process.env.BAILEY_BENCH_API_RUNS ?? 100_000);
const clients = Number(process.env.BAILEY_BENCH_API_CLIENTS ?? 8);
const seconds = Number(process.env.BAILEY_BENCH_API_SECONDS ?? 10);
/** Tokens the "not cached" case rotates through: each is reused only after the server's 1 s TTL. */
const rotatingTokens = 2000;

export type ApiLoadRow = BenchRow & { p99: number; perSecond: number };

async function load(once: (client: number, i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i++) {
        const start = performance.now();
        await once(client, i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const get = (url: string, headers: () => Record<string, string>) => async () => {
  const response = await fetch(url, { headers: headers() });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
};

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Pins this process (every thread) to one core; children started later inherit it. */
function pin(core: number): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(core), String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export async function benchApiLoad(): Promise<{ rows: ApiLoadRow[]; pinned: boolean }> {
  // Bailey (launcher, embedded Postgres, next start) inherits core 1 from this process.
  const pinnedServer = pin(1);
  const teardown = await globalSetup();
  const databaseUrl = process.env.BAILEY_E2E_DATABASE_URL!;
  const prisma = createPrismaClient(databaseUrl, { maxConnections: 2 });
  const raw = createPrismaClient(databaseUrl, { maxConnections: clients });
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
    // Tokens of the same member as the e2e token, for the case where every request misses the cache.
    const e2eToken = await prisma.apiToken.findUniqueOrThrow({ where: { prefix: process.env.BAILEY_E2E_API_TOKEN!.split("_")[1]! } });
    const minted = Array.from({ length: rotatingTokens }, () => mintToken());
    await prisma.apiToken.createMany({
      data: minted.map((token) => ({
        teamId: e2eToken.teamId,
        createdById: e2eToken.createdById,
        name: "bench",
        prefix: token.prefix,
        secretHash: token.secretHash,
        scopes: ["runs:read"],
        lastUsedAt: new Date(),
      })),
    });
    const pinnedGenerator = pinnedServer && pin(0);

    const url = process.env.BAILEY_E2E_BASE_URL!;
    const auth = () => ({ authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}` });
    let next = 0;
    const rotating = () => ({ authorization: `Bearer ${minted[next++ % minted.length]!.token}` });
    // The SQL Prisma sends for the first page (runs, then hosts only when a run has one: none here).
    const page = () =>
      raw.$queryRaw`SELECT "id", "name", "image", "state"::text, "hostId", "createdById", "apiTokenId", "createdAt", "startedAt", "finishedAt", "exitCode", "timeoutSeconds", "waitReason", "waitReasonAt", "unplaceableSince"
           FROM "Run" WHERE "teamId" = ${team.id} ORDER BY "createdAt" DESC, "id" DESC LIMIT 51`;
    await load(get(`${url}/api/health`, () => ({}))); // warm-up
    await load(get(`${url}/api/v1/runs?limit=50`, auth));
    const cases: [string, number[]][] = [
      ["raw SQL: the first page's query from this process (baseline)", await load(async () => void (await page()))],
      ["GET /api/health (baseline: Next + one database ping)", await load(get(`${url}/api/health`, () => ({})))],
      [`GET /api/v1/runs?limit=50, ${runsInTeam} runs, one token (cached)`, await load(get(`${url}/api/v1/runs?limit=50`, auth))],
      [`same, ${rotatingTokens} tokens in turn (each request verifies its token: the uncached path)`, await load(get(`${url}/api/v1/runs?limit=50`, rotating))],
      ["GET /api/v1/runs filtered by state and text (cached token)", await load(get(`${url}/api/v1/runs?limit=50&state=failed&q=load-9`, auth))],
    ];
    const health = cases[1]![1];
    return {
      pinned: pinnedGenerator,
      rows: cases.map(([label, sorted]) => ({
        label,
        iterations: sorted.length,
        median: at(sorted, 0.5),
        p90: at(sorted, 0.9),
        p99: at(sorted, 0.99),
        perSecond: sorted.length / seconds,
        ratio: at(sorted, 0.99) / at(health, 0.99),
      })),
    };
  } finally {
    await raw.$disconnect();
    await prisma.$disconnect();
    await teardown();
  }
}

export function printApiLoad({ rows, pinned }: { rows: ApiLoadRow[]; pinned: boolean }): void {
  console.log(
    `\nAPI under load (${clients} concurrent clients for ${seconds} s each; ${pinned ? "load generator on core 0, Bailey + Postgres on core 1 (taskset)" : "not pinned: taskset or a second core is missing"})`,
  );
  console.log("| case | requests | p50 ms | p90 ms | p99 ms | per second | p99 ratio to health |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.iterations} | ${row.median.toFixed(1)} | ${row.p90.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.perSecond.toFixed(0)} | ${row.ratio?.toFixed(2)}× |`);
  }
}

// `node --import tsx bench/api-load.ts`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) printApiLoad(await benchApiLoad());
