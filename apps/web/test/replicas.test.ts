// Two replicas behind one database (issue 19): migrations run once by the one-shot command, one
// scheduler leader elected through the Postgres advisory lock, and the leader SIGKILLed while 300
// runs are being dispatched to a real agent on Docker. Another replica must take over within 10 s,
// and no run may be dispatched twice (its containers counted by label).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, it } from "node:test";
import { type AgentProcess, docker, ensureStandinImage, removeByHost, startAgent } from "@bailey/agent/testing";
import { createRun } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { tryTakeSchedulerLock } from "@bailey/db/scheduler-lock";
import { launcherMain } from "./launcher-process";

// 300, as the issue asks (about 2 minutes here); BAILEY_REPLICAS_TEST_RUNS changes it.
const runCount = Number(process.env.BAILEY_REPLICAS_TEST_RUNS ?? 300);
const hostId = `replicas-${randomBytes(3).toString("hex")}`;
const replicaScript = fileURLToPath(new URL("./support/scheduler-replica.ts", import.meta.url));
const migrationsDir = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

let db: ScratchDatabase;
let prisma: PrismaClient;
let dir: string;
let agent: AgentProcess | undefined;
const replicas: ChildProcess[] = [];

before(async () => {
  await ensureStandinImage();
  db = await createScratchDatabase();
  dir = await mkdtemp(path.join(tmpdir(), `bailey-${hostId}-`));
  await chmod(dir, 0o755);
});
after(async () => {
  for (const replica of replicas) if (replica.exitCode === null && replica.signalCode === null) replica.kill("SIGKILL");
  await agent?.stop();
  await removeByHost(hostId);
  await prisma?.$disconnect();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `npm run db:migrate` (main.ts migrate) against the external database. */
function runMigrateCommand(dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", launcherMain, "migrate"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: db.url, BAILEY_DATA_DIR: dataDir },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

interface Replica {
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
}

function startReplica(name: string): Replica {
  const child = spawn(process.execPath, ["--import", "tsx", replicaScript, db.url, name], { stdio: ["ignore", "pipe", "pipe"] });
  replicas.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, output: () => output, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

const leaderLine = "this replica is the leader";

it(`two replicas: migrations once, one leader, the leader SIGKILLed mid-dispatch of ${runCount} runs is replaced within 10 s and no run is dispatched twice`, { timeout: 540_000 }, async () => {
  // The one-shot command, started twice at once against the external database (as two deploy jobs might).
  const migrations = await Promise.all([runMigrateCommand(path.join(dir, "m1")), runMigrateCommand(path.join(dir, "m2"))]);
  for (const result of migrations) assert.equal(result.code, 0, result.output);
  assert.equal(
    migrations.filter((result) => /\d+ migration\(s\) applied/.test(result.output)).length,
    1,
    `one command applied the migrations, the other found them done:\n${migrations.map((r) => r.output).join("\n---\n")}`,
  );
  prisma = createPrismaClient(db.url, { maxConnections: 6 });
  const migrationNames = (await readdir(migrationsDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const recorded = await prisma.$queryRawUnsafe<{ migration_name: string; n: bigint }[]>(
    "SELECT migration_name, count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL GROUP BY migration_name",
  );
  assert.deepEqual(recorded.map((row) => row.migration_name).sort(), migrationNames.sort(), "every migration is recorded");
  assert.deepEqual(
    recorded.filter((row) => Number(row.n) !== 1),
    [],
    "no migration ran twice",
  );
  assert.equal(
    Number((await prisma.$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM _prisma_migrations"))[0]!.n),
    migrationNames.length,
    "one _prisma_migrations row per migration, none rolled back or retried",
  );

  agent = await startAgent({ dir, runtime: "docker", hostId, allow: ["sandbox:none"] });
  const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
  // 24 at a time: every run has its own network, past the engine's ~30 default pools from the agent's BAILEY_RUN_SUBNETS.
  await prisma.host.create({
    data: { teamId: team.id, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 24, status: "online", hasRunsc: true, lastSeenAt: new Date() },
  });
  for (let i = 0; i < runCount; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, runCount - i) }, () => createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["true"] } })));
  }

  const a = startReplica("a");
  const b = startReplica("b");
  const byName = { a, b };
  const leaderName = await until("a leader", () => (["a", "b"] as const).find((name) => byName[name].output().includes(leaderLine)), 30_000);
  const leader = byName[leaderName];
  const standby = byName[leaderName === "a" ? "b" : "a"];
  await until("the standby to stand by", () => standby.output().includes("another replica is the leader"), 15_000);
  assert.equal(await tryTakeSchedulerLock(db.url), null, "while a replica leads, /api/cron/tick's try-lock is refused");

  // Kill the leader while dispatch is well under way, not before it started nor after it ended.
  const dispatchedSoFar = () => prisma.run.count({ where: { teamId: team.id, state: { notIn: ["queued", "scheduled"] } } });
  console.log(`[replicas] ${leaderName} leads; waiting for dispatch to get under way`);
  const atKill = await until(
    "dispatch past its first batch",
    async () => {
      // More than one host's worth: the leader has placed and dispatched, and is still at it.
      const n = await dispatchedSoFar();
      return n >= Math.min(20, runCount / 2) ? n : undefined;
    },
    90_000,
    50,
  );
  leader.child.kill("SIGKILL");
  const killedAt = Date.now();
  await leader.exited;
  const finalAtKill = await prisma.run.count({ where: { teamId: team.id, state: { in: ["succeeded", "failed", "cancelled", "lost", "timed_out"] } } });
  assert.ok(finalAtKill < runCount, `the kill struck before the queue was done (${finalAtKill} of ${runCount} final)`);

  console.log(`[replicas] killed ${leaderName} with ${atKill} runs past scheduled, ${finalAtKill} final`);
  await until("the standby to take over", () => standby.output().includes(leaderLine), 10_000, 50);
  const takeoverMs = Date.now() - killedAt;
  assert.ok(takeoverMs <= 10_000, `took over in ${takeoverMs} ms`);

  await until(
    "every run to finish",
    async () => (await prisma.run.count({ where: { teamId: team.id, state: { notIn: ["succeeded", "failed", "cancelled", "lost", "timed_out"] } } })) === 0,
    420_000,
    500,
  ).catch(async (error: Error) => {
    const states = await prisma.run.groupBy({ by: ["state"], where: { teamId: team.id }, _count: true });
    const failed = await prisma.run.findMany({ where: { teamId: team.id, state: "failed" }, take: 3, select: { stateReason: true, lastError: true } });
    throw new Error(
      `${error.message}; runs by state: ${JSON.stringify(states.map((row) => [row.state, row._count]))}; failed: ${JSON.stringify(failed)}\nagent: ${agent?.output().slice(-2000)}\n${a.output().slice(-3000)}\n${b.output().slice(-3000)}`,
    );
  });
  standby.child.kill("SIGTERM");
  await standby.exited;

  const runs = await prisma.run.findMany({ where: { teamId: team.id }, include: { transitions: { orderBy: { id: "asc" } } } });
  assert.deepEqual(
    runs.filter((run) => run.state !== "succeeded").map((run) => `${run.id} ${run.state}: ${run.stateReason ?? run.lastError}`),
    [],
    "every run succeeded",
  );
  for (const run of runs) {
    const path = run.transitions.map((t) => t.toState);
    assert.equal(path.filter((state) => state === "running").length, 1, `${run.id} ran once: ${path.join(" → ")}`);
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`bailey.host-id=${hostId}`, "bailey.role=main"] } });
  const perRun = new Map<string, number>();
  for (const container of containers) perRun.set(container.Labels["bailey.run-id"]!, (perRun.get(container.Labels["bailey.run-id"]!) ?? 0) + 1);
  assert.equal(containers.length, runCount, "one container per run on the host, counted by label");
  assert.deepEqual([...perRun.keys()].sort(), runs.map((run) => run.id).sort(), "each run's own container, none that no run owns");
  const resumed = await prisma.auditEvent.count({ where: { teamId: team.id, action: "run.dispatch_resumed" } });
  const leaderLines = [a.output(), b.output()].join("").split(leaderLine).length - 1;
  assert.equal(leaderLines, 2, "exactly two leaderships: the killed one and its successor");
  console.log(
    `[replicas] ${migrationNames.length} migrations recorded once by two concurrent migrate commands; leader ${leaderName} killed with ${atKill} runs past scheduled (${finalAtKill} final); standby took over in ${takeoverMs} ms; ${runs.length} runs succeeded, each ran once; ${containers.length} containers by label; ${resumed} dispatches taken over after the killed leader's lease`,
  );
});
