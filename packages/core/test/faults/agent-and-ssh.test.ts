// Faults between the control plane and a host reached the production way: real OpenSSH with a
// forced `bailey-agent dial-stdio`, a real agent, real Docker. The SSH session is cut, and the
// agent is SIGKILLed mid-provisioning and mid-run; each run must end in the state that is
// true and leave nothing behind.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, startSshd, type RunningSshd } from "@bailey/agent-client/testing";
import { createPrismaClient, type Host, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { agentMain, docker, ensureStandinImage, removeByHost, resourcesOf, standinImage, startAgent, type AgentProcess } from "../../../../apps/agent/test/support/agent-process";
import { createRun, HostConnections, tick, verifyAuditChain, type TeamContext } from "../../src";
import { repoRoot } from "../support/local-agent";

const hostId = `faults-${process.pid}`;
const leaseMs = 3_000;

/** Every process descended from `pid`: the sshd serving a connection and what it runs. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

describe("faults between the control plane and its host (real sshd, agent and Docker)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let sshd: RunningSshd;
  let agent: AgentProcess;
  let host: Host;
  let ctx: TeamContext;
  let connections: HostConnections;
  const stateDir = () => path.join(dir, "agent-state");
  const socketPath = () => path.join(dir, "agent.sock");
  const agentEnv = { BAILEY_BUILDKIT_IMAGE: standinImage, BAILEY_DIND_PRIVILEGED: "false" };

  before(async () => {
    await ensureStandinImage();
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 8 });
    dir = await mkdtemp(path.join(tmpdir(), "bailey-faults-"));
    await chmod(dir, 0o755);
    agent = await startAgent({ socketPath: socketPath(), stateDir: stateDir(), hostId, env: agentEnv });
    const wrapper = path.join(dir, "bailey-agent");
    await writeFile(wrapper, `#!/bin/sh\nexport BAILEY_AGENT_SOCKET=${socketPath()}\ncd ${repoRoot}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`, { mode: 0o755 });
    const key = await generateKeyPair("bailey-faults");
    sshd = await startSshd({ authorizedKeys: [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`] });
    connections = new HostConnections({ privateKey: key.privateKey });
    const user = await prisma.user.create({ data: { email: "faults@t.test" } });
    const team = await prisma.team.create({ data: { slug: "faults", name: "Faults" } });
    await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: "member" } });
    ctx = { teamId: team.id, role: "member", actor: { type: "user", userId: user.id } };
    host = await prisma.host.create({
      data: { teamId: team.id, name: hostId, transport: "ssh", address: sshd.host, sshPort: sshd.port, sshUser: sshd.user, hostKeyFingerprint: sshd.hostKeyFingerprint, capacityRuns: 4, status: "online", hasRunsc: true, hasNetworks: true, hasSidecars: true, lastSeenAt: new Date() },
    });
  });

  after(async () => {
    connections?.close();
    await agent?.kill();
    await sshd?.stop();
    await removeByHost(hostId);
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const runState = async (runId: string) => prisma.run.findUniqueOrThrow({ where: { id: runId } });
  async function tickUntil(runId: string, done: (state: string) => boolean, rounds = 120) {
    for (let i = 0; i < rounds; i++) {
      await tick({ prisma, connections, dispatchLeaseMs: leaseMs }).catch(() => undefined);
      const run = await runState(runId);
      if (done(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return runState(runId);
  }
  async function eventsOf(runId: string) {
    return (await prisma.hostEvent.findMany({ where: { hostId: host.id, runId }, orderBy: { seq: "asc" } })).map((event) => event.type);
  }
  const cutSsh = () => {
    let killed = 0;
    for (const pid of descendantsOf(sshd.pid)) {
      try {
        process.kill(pid, "SIGKILL");
        killed += 1;
      } catch {
        // gone already: its parent's death took it along
      }
    }
    return killed;
  };

  it("an SSH session cut mid-run and again mid-provisioning: the control plane reconnects and each run is created, started and finished once", { timeout: 180_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", "for i in $(seq 1 20); do echo line $i; sleep 0.1; done"] } });
    await tickUntil(run.id, (state) => state === "running");
    const killed = cutSsh();
    assert.ok(killed >= 1, "there was an SSH session to cut");
    const cutAt = Date.now();
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    console.log(`[ssh-cut] ${killed} sshd session processes killed mid-run; the run was recorded ${finished.state} ${Date.now() - cutAt} ms later`);
    assert.equal(finished.state, "succeeded", finished.stateReason ?? "");
    assert.equal(finished.exitCode, 0);
    const firstEvents = await eventsOf(run.id);
    for (const type of ["run.created", "container.created", "container.started", "container.exited"]) assert.equal(firstEvents.filter((t) => t === type).length, 1, `${type} once: ${firstEvents.join(", ")}`);

    // Now cut it while the agent is still provisioning a dind run (network, sidecar, main).
    await agent.kill();
    agent = await startAgent({ socketPath: socketPath(), stateDir: stateDir(), hostId, env: { ...agentEnv, BAILEY_AGENT_FAULT_STEP_DELAY_MS: "700" } });
    const dind = (await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", dependencies: ["docker:dind"], command: ["sh", "-c", "echo dind ok"] } })).run;
    const dispatching = tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    for (let i = 0; i < 100 && (await resourcesOf(dind.id)).networks.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await runState(dind.id)).state, "provisioning", "the cut comes while the dispatch waits for the agent");
    cutSsh();
    await dispatching;
    const afterCut = await runState(dind.id);
    assert.equal(afterCut.state, "provisioning", `an unanswered dispatch neither fails nor forgets the run: ${afterCut.lastError}`);
    const done = await tickUntil(dind.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(done.state, "succeeded", done.stateReason ?? done.lastError ?? "");
    const events = await eventsOf(dind.id);
    assert.equal(events.filter((type) => type === "run.created").length, 1, events.join(", "));
    assert.equal(events.filter((type) => type === "container.started").length, 1, events.join(", "));
    assert.ok(await prisma.auditEvent.findFirst({ where: { runId: dind.id, action: "run.dispatch_resumed" } }), "the retry is audited");
    for (let i = 0; i < 40 && ((await resourcesOf(dind.id)).networks.length || (await resourcesOf(dind.id)).containers.length > 1); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(await resourcesOf(dind.id), { containers: [`bailey-${dind.id}`], networks: [] }, "the sidecar and network went with the run; only its kept container remains");
  });

  it("the agent SIGKILLed mid-provisioning: the run fails saying so, and the host keeps nothing of it", { timeout: 180_000 }, async () => {
    await agent.kill();
    agent = await startAgent({ socketPath: socketPath(), stateDir: stateDir(), hostId, env: { ...agentEnv, BAILEY_AGENT_FAULT_STEP_DELAY_MS: "1500" } });
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", dependencies: ["docker:dind"], command: ["sh", "-c", "echo never"] } });
    const dispatching = tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    for (let i = 0; i < 100 && (await resourcesOf(run.id)).containers.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const midway = await resourcesOf(run.id);
    assert.equal(midway.networks.length, 1, "the network existed when the agent died");
    await agent.kill("SIGKILL");
    await dispatching;
    agent = await startAgent({ socketPath: socketPath(), stateDir: stateDir(), hostId, env: agentEnv });
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(finished.state, "failed");
    assert.match(finished.stateReason ?? "", /agent stopped while provisioning/);
    assert.deepEqual(await resourcesOf(run.id), { containers: [], networks: [] }, "network, sidecar and main container are gone");
    const events = await eventsOf(run.id);
    assert.ok(events.includes("run.failed") && !events.includes("container.started"), events.join(", "));
  });

  it("the agent SIGKILLed mid-run and back within the grace period: the run is watched again and ends with its real exit code", { timeout: 180_000 }, async () => {
    const { run } = await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", "sleep 3; echo finished; exit 7"] } });
    await tickUntil(run.id, (state) => state === "running");
    await agent.kill("SIGKILL");
    // Ticks while nobody answers on the host: the host is not yet offline, nothing moves.
    for (let i = 0; i < 3; i++) await tick({ prisma, connections, dispatchLeaseMs: leaseMs });
    assert.equal((await runState(run.id)).state, "running");
    agent = await startAgent({ socketPath: socketPath(), stateDir: stateDir(), hostId, env: agentEnv });
    const finished = await tickUntil(run.id, (state) => ["succeeded", "failed", "lost"].includes(state));
    assert.equal(finished.state, "failed", finished.stateReason ?? "");
    assert.equal(finished.exitCode, 7, "the exit code the container really had");
    assert.equal((await docker.getContainer(`bailey-${run.id}`).inspect()).State.ExitCode, 7);
    assert.equal((await verifyAuditChain({ prisma, teamId: ctx.teamId })).valid, true);
  });
});
