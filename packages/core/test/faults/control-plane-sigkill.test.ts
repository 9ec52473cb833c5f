// Fault: the control plane dies (SIGKILL) at random instants while it places, dispatches and
// ingests. Afterwards no run may be lost, none dispatched twice, and nothing may be left on
// the host that no run owns.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { before, it } from "node:test";
import { docker, ensureStandinImage, repoRoot, standinImage, startAgent } from "@bailey/agent/testing";
import { createScratchTeam } from "@bailey/db/testing";
import type { PrismaClient } from "@bailey/db";
import { createRun, HostConnections, reconcileHost, verifyAuditChain } from "../../src";
import { seededRandom, useFaultSetup } from "../support/fault-setup";

const kills = 20;
const plainRuns = 54;
const dindRuns = 6;
const leaseMs = 2_000;
const seed = Number(process.env.BAILEY_FAULT_SEED ?? Date.now() % 1_000_000);

const hostId = `sigkill-${randomBytes(3).toString("hex")}`;
const setup = useFaultSetup({ hostId, maxConnections: 8 });
const tickProcess = fileURLToPath(new URL("../support/tick-process.ts", import.meta.url));

before(ensureStandinImage);

function startControlPlane(teamId: string, deadlineMs = 180_000): { child: ChildProcess; firstTick: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", tickProcess, setup.db.url, teamId, String(Date.now()), "0"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BAILEY_TICK_TEST_TRACE: "1", BAILEY_TICK_TEST_LEASE_MS: String(leaseMs), BAILEY_TICK_TEST_DEADLINE_MS: String(deadlineMs) },
  });
  let output = "";
  const firstTick = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      if (output.includes("tick")) resolve();
    });
    child.once("exit", () => reject(new Error(`the control plane exited before its first tick:\n${output}`)));
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  firstTick.catch(() => undefined);
  return { child, firstTick, exited };
}

it(`the control plane killed ${kills} times mid-dispatch and mid-ingestion loses no run, doubles none and leaks nothing`, { timeout: 600_000 }, async () => {
  const { prisma, dir } = setup;
  const random = seededRandom(seed);
  console.log(`[sigkill] seed ${seed} (set BAILEY_FAULT_SEED to replay the kill instants)`);
  const started = await startAgent({ dir, runtime: "docker", hostId, buildkitImage: standinImage, dindPrivileged: false, allow: ["docker:dind", "sandbox:none"] });
  setup.agents.push(started);
  const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
  const host = await prisma.host.create({
    data: {
      teamId: team.id,
      name: hostId,
      transport: "local",
      address: started.socketPath,
      capacityRuns: 6,
      status: "online",
      hasRunsc: true,
      hasNetworks: true,
      hasSidecars: true,
      lastSeenAt: new Date(),
    },
  });
  const expectedOutput = new Map<string, string>();
  for (let i = 0; i < plainRuns + dindRuns; i++) {
    const dind = i % 10 === 9;
    const { run } = await createRun({
      prisma,
      ctx,
      spec: {
        image: "bailey-test/busybox:latest",
        sandbox: i % 3 === 0 && !dind ? "gvisor" : "none",
        ...(dind ? { dependencies: ["docker:dind"] } : {}),
        command: ["sh", "-c", `echo run-${i}; sleep 0.${i % 8}`],
      },
    });
    expectedOutput.set(run.id, `run-${i}`);
  }

  const observed: { afterMs: number; provisioning: number; running: number; final: number; claims: number }[] = [];
  for (let k = 0; k < kills; k++) {
    const controlPlane = startControlPlane(team.id);
    await controlPlane.firstTick;
    // Timed from this process's first claim, not its first tick: under load the first claim
    // comes up to a second after the tick, and a kill before it proves nothing about takeovers.
    await firstClaimSince(prisma, team.id, claimsBefore(observed));
    const afterMs = k % 2 ? 0 : Math.floor(random() * 900);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    controlPlane.child.kill("SIGKILL");
    await controlPlane.exited;
    const states = await prisma.run.groupBy({ by: ["state"], where: { teamId: team.id }, _count: true });
    const count = (...names: string[]) => states.filter((row) => names.includes(row.state)).reduce((sum, row) => sum + row._count, 0);
    observed.push({
      afterMs,
      provisioning: count("provisioning"),
      running: count("running", "stopping"),
      final: count("succeeded", "failed", "cancelled", "lost"),
      claims: await claimCount(prisma, team.id),
    });
  }
  console.log(`[sigkill] after each kill (ms after the first tick, runs provisioning / running / final): ${observed.map((o) => `${o.afterMs}:${o.provisioning}/${o.running}/${o.final}`).join(" ")}`);
  assert.ok(
    observed.every((o) => o.final < plainRuns + dindRuns),
    "every kill struck while runs were still unfinished",
  );

  // Generous: each taken-over dispatch waits out a lease, and a loaded CI machine is slow.
  const survivor = startControlPlane(team.id, 360_000);
  assert.equal(await survivor.exited, 0, "an unharmed control plane finishes the queue");

  const runs = await prisma.run.findMany({ where: { teamId: team.id }, include: { transitions: { orderBy: { id: "asc" } } } });
  const notSucceeded = runs.filter((run) => run.state !== "succeeded");
  assert.deepEqual(
    notSucceeded.map((run) => `${run.id} ${run.state}: ${run.stateReason ?? run.lastError}`),
    [],
    "no run was lost or failed",
  );
  const events = await prisma.hostEvent.findMany({ where: { hostId: host.id }, select: { seq: true, runId: true, type: true }, orderBy: { seq: "asc" } });
  assert.deepEqual(
    events.map((event) => Number(event.seq)),
    events.map((_, index) => index + 1),
    "the agent's journal was ingested without a gap or a duplicate",
  );
  for (const type of ["run.created", "container.started", "container.exited"]) {
    const perRun = new Map<string, number>();
    for (const event of events.filter((e) => e.type === type)) perRun.set(event.runId!, (perRun.get(event.runId!) ?? 0) + 1);
    assert.equal(perRun.size, runs.length, `every run has a ${type} event`);
    assert.deepEqual(
      [...perRun].filter(([, n]) => n !== 1),
      [],
      `no run has two ${type} events: none was created or started twice`,
    );
  }
  for (const run of runs) {
    const path = run.transitions.map((t) => t.toState);
    assert.deepEqual(path.slice(-2), ["running", "succeeded"], `${run.id}: ${path.join(" → ")}`);
    assert.equal(path.filter((state) => state === "running").length, 1, `${run.id} ran once: ${path.join(" → ")}`);
  }
  const resumed = await prisma.auditEvent.count({ where: { teamId: team.id, action: "run.dispatch_resumed" } });
  assert.ok(resumed >= 1, "some kill struck between a claim and the agent's answer, and another process took the run over");

  const connections = new HostConnections();
  try {
    await reconcileHost({ prisma, connections, host });
  } finally {
    connections.close();
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`bailey.host-id=${hostId}`] } });
  const mains = containers.filter((c) => c.Labels["bailey.role"] === "main");
  assert.deepEqual(
    containers.filter((c) => c.Labels["bailey.role"] !== "main").map((c) => c.Names[0]),
    [],
    "no BuildKit sidecar outlived its run",
  );
  assert.deepEqual(mains.map((c) => c.Labels["bailey.run-id"]).sort(), runs.map((run) => run.id).sort(), "exactly one kept container per run, none that no run owns");
  assert.deepEqual(
    (await docker.listNetworks({ filters: { label: [`bailey.host-id=${hostId}`] } })).map((n) => n.Name),
    [],
    "no run network outlived its run",
  );
  for (const run of runs.filter((_, index) => index % 12 === 0)) {
    const logs = (await docker.getContainer(`bailey-${run.id}`).logs({ stdout: true, stderr: true })).toString("latin1");
    assert.equal(logs.split(expectedOutput.get(run.id)!).length - 1, 1, `${run.id} printed its line once`);
  }
  assert.equal((await verifyAuditChain({ prisma, teamId: team.id })).valid, true);
  console.log(
    `[sigkill] ${kills} kills; ${runs.length} runs all succeeded once; ${resumed} dispatches taken over after a killed claimer's lease ran out; ${events.length} agent events ingested exactly once; ${containers.length} containers kept, 0 orphans, 0 networks`,
  );
});

async function claimCount(prisma: PrismaClient, teamId: string): Promise<number> {
  return (await prisma.run.aggregate({ where: { teamId }, _sum: { dispatchAttempts: true } }))._sum.dispatchAttempts ?? 0;
}

function claimsBefore(observed: { claims: number }[]): number {
  return observed.at(-1)?.claims ?? 0;
}

/** Waits (at most 5 s: the queue may be nearly done) until some run was claimed again since `before`. */
async function firstClaimSince(prisma: PrismaClient, teamId: string, before: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && (await claimCount(prisma, teamId)) <= before) await new Promise((resolve) => setTimeout(resolve, 10));
}
