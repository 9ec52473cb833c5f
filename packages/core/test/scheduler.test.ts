import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type AgentProcess, docker, ensureStandinImage, repoRoot as root, standinImage, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AppError, createRun, destroyRun, getRun, HostConnections, ingestHostEvents, stopRun, tick, verifyAuditChain, type TeamContext } from "../src";

describe("runs through the scheduler to real agents", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  const agents: AgentProcess[] = [];
  const tickProcess = fileURLToPath(new URL("./support/tick-process.ts", import.meta.url));

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 20 });
    dir = await mkdtemp(path.join(tmpdir(), "bailey-sched-"));
    await chmod(dir, 0o755);
    ({ ctx } = await createScratchTeam(prisma));
  });
  after(async () => {
    for (const agent of agents) await agent.stop();
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("100 concurrent creates with one Idempotency-Key make one run; another body with it is refused", async () => {
    const spec = { image: "bailey-test/busybox:latest", command: ["true"] };
    const results = await Promise.all(Array.from({ length: 100 }, () => createRun({ prisma, ctx, spec, idempotencyKey: "deploy-42" })));
    assert.equal(new Set(results.map((result) => result.run.id)).size, 1);
    assert.equal(results.filter((result) => result.created).length, 1);
    await assert.rejects(createRun({ prisma, ctx, spec: { ...spec, command: ["false"] }, idempotencyKey: "deploy-42" }), (error: AppError) => error.code === "CONFLICT");
    await assert.rejects(
      createRun({ prisma, ctx, spec: { image: "x", dependencies: ["docker"] } }),
      (error: AppError) => error.code === "BAD_REQUEST" && /docker:host/.test(error.message) && /docker:dind/.test(error.message),
    );
    await prisma.run.deleteMany({ where: { teamId: ctx.teamId } });
  });

  it("two schedulers ticking at once never dispatch a run twice (200 runs, capacity-limited host)", async () => {
    const hostId = `mock-${randomBytes(3).toString("hex")}`;
    const agent = await startAgent({ dir, runtime: "mock", hostId });
    agents.push(agent);
    const host = await prisma.host.create({
      data: {
        teamId: ctx.teamId,
        name: hostId,
        transport: "local",
        address: agent.socketPath,
        capacityRuns: 1000,
        status: "online",
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        lastSeenAt: new Date(),
      },
    });
    for (let i = 0; i < 200; i++) await createRun({ prisma, ctx, spec: { image: "busybox", command: ["sh", "-c", `echo run ${i}`] } });
    const second = createPrismaClient(db.url, { maxConnections: 20 });
    const [connectionsA, connectionsB] = [new HostConnections(), new HostConnections()];
    try {
      // Rounds until done, not a fixed count: on a loaded machine a round does less.
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
        await Promise.all([tick({ prisma, connections: connectionsA }), tick({ prisma: second, connections: connectionsB })]);
        if ((await prisma.run.count({ where: { teamId: ctx.teamId, state: "succeeded" } })) === 200) break;
      }
    } finally {
      connectionsA.close();
      connectionsB.close();
      await second.$disconnect();
    }
    const dispatches = await prisma.runTransition.groupBy({ by: ["runId"], where: { toState: "provisioning" }, _count: true });
    assert.equal(dispatches.length, 200);
    assert.ok(
      dispatches.every((row) => row._count === 1),
      "each run was dispatched exactly once",
    );
    assert.equal(await prisma.run.count({ where: { teamId: ctx.teamId, state: "succeeded", hostId: host.id } }), 200);
    const events = await prisma.hostEvent.count({ where: { hostId: host.id } });
    const distinct = await prisma.hostEvent.groupBy({ by: ["seq"], where: { hostId: host.id } });
    assert.equal(events, distinct.length, "every agent event was recorded once");
    const audit = await verifyAuditChain({ prisma, teamId: ctx.teamId });
    assert.equal(audit.valid, true);
  });

  it("two control-plane processes ticking against one database never dispatch a run twice (240 runs)", async () => {
    const hostIds = [`mock-a-${randomBytes(3).toString("hex")}`, `mock-b-${randomBytes(3).toString("hex")}`];
    const { team, ctx: teamCtx } = await createScratchTeam(prisma, { userId: ctx.actor.userId });
    const hosts = [];
    for (const hostId of hostIds) {
      const agent = await startAgent({ dir, runtime: "mock", hostId });
      agents.push(agent);
      // Small capacities: placement takes many rounds, so the two processes contend again and again.
      hosts.push(
        await prisma.host.create({
          data: {
            teamId: team.id,
            name: hostId,
            transport: "local",
            address: agent.socketPath,
            capacityRuns: 6,
            status: "online",
            hasRunsc: true,
            hasNetworks: true,
            hasSidecars: true,
            lastSeenAt: new Date(),
          },
        }),
      );
    }
    const total = 240;
    for (let i = 0; i < total; i++) await createRun({ prisma, ctx: teamCtx, spec: { image: "busybox", command: ["sh", "-c", `echo run ${i}`] } });
    // A shared start instant, so neither process has the queue to itself at first.
    const startAt = String(Date.now() + 3000);
    const processes = [0, 1].map(() => spawn(process.execPath, ["--import", "tsx", tickProcess, db.url, team.id, startAt, String(total)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] }));
    const reports = await Promise.all(
      processes.map(
        (child) =>
          new Promise<{ ticks: number; placed: number; dispatched: number }>((resolve, reject) => {
            let output = "";
            child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
            child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1)!)) : reject(new Error(`a tick process exited with ${code}: ${output}`))));
          }),
      ),
    );
    console.log(`[two-process dispatch] ${JSON.stringify(reports)} ${JSON.stringify(await prisma.run.groupBy({ by: ["state", "hostId"], where: { teamId: team.id }, _count: true }))}`);
    const runIds = (await prisma.run.findMany({ where: { teamId: team.id }, select: { id: true } })).map((run) => run.id);
    const dispatches = await prisma.runTransition.groupBy({ by: ["runId"], where: { runId: { in: runIds }, toState: "provisioning" }, _count: true });
    assert.equal(dispatches.length, total, "every run was dispatched");
    assert.ok(
      dispatches.every((row) => row._count === 1),
      "no run was dispatched twice",
    );
    assert.equal(reports[0]!.dispatched + reports[1]!.dispatched, total, "the processes' own counts agree: each dispatch happened in exactly one process");
    assert.equal(await prisma.run.count({ where: { teamId: team.id, state: "succeeded" } }), total);
    const created = await prisma.hostEvent.groupBy({ by: ["hostId", "runId"], where: { hostId: { in: hosts.map((host) => host.id) }, type: "run.created" }, _count: true });
    assert.equal(created.length, total, "the agents created every run");
    assert.ok(
      created.every((row) => row._count === 1),
      "no agent created a run twice",
    );
    assert.equal((await verifyAuditChain({ prisma, teamId: team.id })).valid, true);
  });

  it("a run on a real Docker agent goes queued → running → succeeded, with its exit recorded and the chain valid", async () => {
    const hostId = `docker-${randomBytes(3).toString("hex")}`;
    const agent = await startAgent({ dir, runtime: "docker", hostId });
    agents.push(agent);
    await prisma.host.updateMany({ where: { teamId: ctx.teamId }, data: { status: "draining" } });
    await prisma.host.create({ data: { teamId: ctx.teamId, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() } });
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo hello from bailey; exit 0"] } });
    const connections = new HostConnections();
    try {
      let state = "queued";
      for (let i = 0; i < 40 && state !== "succeeded" && state !== "failed"; i++) {
        await tick({ prisma, connections });
        state = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
        if (state !== "succeeded") await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const finished = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { transitions: { orderBy: { id: "asc" } } } });
      assert.equal(finished.state, "succeeded", finished.lastError ?? finished.stateReason ?? "");
      assert.equal(finished.exitCode, 0);
      assert.deepEqual(
        finished.transitions.map((t) => t.toState),
        ["queued", "scheduled", "provisioning", "running", "succeeded"],
      );
      const actions = (await prisma.auditEvent.findMany({ where: { runId: run.id }, orderBy: { seq: "asc" } })).map((event) => event.action);
      assert.ok(actions.includes("agent.container.exited"), actions.join(", "));
      // Every run has its own network now, not only docker:dind ones: recorded, and its removal too.
      let networks = await prisma.network.findMany({ where: { runId: run.id } });
      for (let i = 0; i < 40 && !networks[0]?.removedAt; i++) {
        await tick({ prisma, connections });
        await new Promise((resolve) => setTimeout(resolve, 250));
        networks = await prisma.network.findMany({ where: { runId: run.id } });
      }
      assert.deepEqual(
        networks.map((network) => ({ name: network.name, removed: network.removedAt !== null })),
        [{ name: `bailey-${run.id}`, removed: true }],
      );
      assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
    } finally {
      connections.close();
    }
  });

  it("a short run's network removal ingested before the dispatcher records the network still leaves it removed", async () => {
    const hostId = `docker-${randomBytes(3).toString("hex")}`;
    const agent = await startAgent({ dir, runtime: "docker", hostId, allow: ["sandbox:none"] });
    agents.push(agent);
    const host = await prisma.host.create({
      data: { teamId: ctx.teamId, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 1, status: "draining", hasRunsc: true, lastSeenAt: new Date() },
    });
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["true"] } });
    await prisma.run.update({ where: { id: run.id }, data: { state: "provisioning", hostId: host.id } });
    // As the dispatcher's requests would, then the run ends and its events are ingested first.
    const peer = await agent.connect();
    const connections = new HostConnections();
    try {
      await peer.request("run.create", { runId: run.id, spec: { image: "bailey-test/busybox:latest", command: ["true"], sandbox: "none" } });
      const started = await peer.request("run.start", { runId: run.id });
      for (let i = 0; i < 100 && (await peer.request("run.inspect", { runId: run.id })).state === "running"; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      await ingestHostEvents({ prisma, connections, host });
      const ingested = await prisma.network.findMany({ where: { runId: run.id } });
      assert.deepEqual(
        ingested.map((network) => ({ name: network.name, networkId: network.networkId, removed: network.removedAt !== null })),
        [{ name: `bailey-${run.id}`, networkId: started.networkId, removed: true }],
      );
      // What dispatch.ts then writes for the network it was told about leaves the removal in place.
      await prisma.network.upsert({
        where: { runId_name: { runId: run.id, name: started.networkName! } },
        update: { networkId: started.networkId },
        create: { runId: run.id, hostId: host.id, name: started.networkName!, networkId: started.networkId },
      });
      assert.ok((await prisma.network.findFirstOrThrow({ where: { runId: run.id } })).removedAt);
    } finally {
      peer.close();
      connections.close();
    }
  });

  it("a docker:dind run through the scheduler stores its network and BuildKit sidecar with their IDs, and their removal", async () => {
    await ensureStandinImage();
    const hostId = `dind-${randomBytes(3).toString("hex")}`;
    // This machine cannot start privileged containers (see apps/agent/test/dind.test.ts).
    const agent = await startAgent({ dir, runtime: "docker", hostId, buildkitImage: standinImage, dindPrivileged: false, allow: ["docker:dind", "sandbox:none"] });
    agents.push(agent);
    const { team, ctx: teamCtx } = await createScratchTeam(prisma, { userId: ctx.actor.userId, role: "admin" });
    const host = await prisma.host.create({
      data: {
        teamId: team.id,
        name: hostId,
        transport: "local",
        address: agent.socketPath,
        capacityRuns: 2,
        status: "online",
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        lastSeenAt: new Date(),
      },
    });
    const { run } = await createRun({
      prisma,
      ctx: teamCtx,
      spec: {
        image: "bailey-test/busybox:latest",
        dependencies: ["docker:dind"],
        sandbox: "none",
        command: ["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 buildkit 1234 | grep -q 'stand-in ready' && echo reached-buildkit"],
      },
    });
    const connections = new HostConnections();
    try {
      let stored = await getRun({ prisma, ctx: teamCtx, runId: run.id });
      for (let i = 0; i < 80 && !(["succeeded", "failed"].includes(stored.state) && stored.networks[0]?.removedAt && stored.sidecars[0]?.removedAt); i++) {
        await tick({ prisma, connections });
        stored = await getRun({ prisma, ctx: teamCtx, runId: run.id });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(stored.state, "succeeded", stored.lastError ?? stored.stateReason ?? "");
      assert.equal(stored.networks.length, 1);
      assert.deepEqual({ name: stored.networks[0]!.name, hostId: stored.networks[0]!.hostId }, { name: `bailey-${run.id}`, hostId: host.id });
      assert.match(stored.networks[0]!.networkId ?? "", /^[0-9a-f]{64}$/);
      assert.ok(stored.networks[0]!.removedAt, "the network's removal was ingested");
      assert.equal(stored.sidecars.length, 1);
      assert.deepEqual(
        { role: stored.sidecars[0]!.role, name: stored.sidecars[0]!.name, image: stored.sidecars[0]!.image, state: stored.sidecars[0]!.state },
        { role: "buildkit", name: `bailey-buildkit-${run.id}`, image: standinImage, state: "stopped" },
      );
      assert.match(stored.sidecars[0]!.containerId ?? "", /^[0-9a-f]{64}$/);
      await assert.rejects(docker.getNetwork(stored.networks[0]!.networkId!).inspect(), /404|no such network/i, "the network is gone from the engine");
      await assert.rejects(docker.getContainer(stored.sidecars[0]!.containerId!).inspect(), /404|no such container/i, "the sidecar is gone from the engine");
      await destroyRun({ prisma, ctx: teamCtx, connections, runId: run.id });
    } finally {
      connections.close();
    }
  });

  it("a running run is stopped (cancelled), destroyed without leftovers, and invisible to other teams", async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "300"] } });
    const connections = new HostConnections();
    const state = async () => (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
    try {
      for (let i = 0; i < 40 && (await state()) !== "running"; i++) await tick({ prisma, connections });
      assert.equal(await state(), "running");
      const other = await prisma.team.create({ data: { slug: "sched-other", name: "Other" } });
      await assert.rejects(getRun({ prisma, ctx: { teamId: other.id }, runId: run.id }), (error: AppError) => error.code === "NOT_FOUND");
      await assert.rejects(stopRun({ prisma, ctx: { teamId: other.id, role: "owner", actor: ctx.actor }, connections, runId: run.id }), (error: AppError) => error.code === "NOT_FOUND");

      await stopRun({ prisma, ctx, connections, runId: run.id, graceSeconds: 1 });
      for (let i = 0; i < 40 && (await state()) !== "cancelled"; i++) {
        await tick({ prisma, connections });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stopped = await getRun({ prisma, ctx, runId: run.id });
      assert.equal(stopped.state, "cancelled");
      assert.deepEqual(stopped.transitions.map((t) => t.toState).slice(-2), ["stopping", "cancelled"]);

      const { removed } = await destroyRun({ prisma, ctx, connections, runId: run.id });
      assert.ok(removed.includes(`bailey-${run.id}`));
      assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`bailey.run-id=${run.id}`] } }), []);
      assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
    } finally {
      connections.close();
    }
  });

  it("a host that disappears past the grace period loses its runs; when it returns, reconcile leaves no orphan", async () => {
    const hostId = `flaky-${randomBytes(3).toString("hex")}`;
    const agent = await startAgent({ dir, runtime: "docker", hostId });
    agents.push(agent);
    await prisma.host.updateMany({ where: { teamId: ctx.teamId }, data: { status: "draining" } });
    const host = await prisma.host.create({
      data: { teamId: ctx.teamId, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() },
    });
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", command: ["sleep", "300"] } });
    const connections = new HostConnections({});
    const containersOfRun = async () => docker.listContainers({ all: true, filters: { label: [`bailey.run-id=${run.id}`] } });
    try {
      for (let i = 0; i < 40 && (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state !== "running"; i++) await tick({ prisma, connections });
      assert.equal((await containersOfRun()).length, 1);

      // Quiet (no event for minutes) but answering: seen, so a later passing error loses nothing.
      // (Twice: the first tick may still ingest the start's trailing events; the second has none.)
      for (let i = 0; i < 2; i++) {
        await prisma.host.update({ where: { id: host.id }, data: { lastSeenAt: new Date(Date.now() - 300_000) } });
        await tick({ prisma, connections });
      }
      const seen = (await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).lastSeenAt!;
      assert.ok(Date.now() - seen.getTime() < 30_000, `a host that answered is seen now, not at its last event (${seen.toISOString()})`);

      await agent.kill("SIGKILL");
      await prisma.host.update({ where: { id: host.id }, data: { lastSeenAt: new Date(Date.now() - 60_000) } });
      const down = await tick({ prisma, connections, offlineAfterMs: 1_000, lostAfterMs: 1_000 });
      assert.deepEqual(down.offline, [host.id]);
      await prisma.host.update({ where: { id: host.id }, data: { lastSeenAt: new Date(Date.now() - 60_000) } });
      await tick({ prisma, connections, offlineAfterMs: 1_000, lostAfterMs: 1_000 });
      const lost = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      assert.equal(lost.state, "lost", "nobody could watch it, so it is lost, not running");
      assert.equal((await containersOfRun()).length, 1, "the container outlived its agent");

      await agent.restart();
      const back = await tick({ prisma, connections });
      assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).status, "online");
      assert.ok(back.reconciled >= 1);
      assert.deepEqual(await containersOfRun(), [], "reconcile removed the lost run's container");
      assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state, "lost", "a late exit event does not resurrect a lost run");
      const audit = await prisma.auditEvent.findFirst({ where: { action: "host.reconciled", hostId: host.id } });
      assert.ok(audit, "the clean-up is audited");
    } finally {
      connections.close();
    }
  });
});
