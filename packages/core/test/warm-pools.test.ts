import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AgentConnection } from "@bailey/agent-client";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type PoolSpec, type PoolStatus, RpcError, rpcErrorCodes } from "@bailey/protocol";
import { AppError, createWarmPool, deleteWarmPool, HostConnections, listWarmPools, placeQueuedRuns, type TeamContext, updateWarmPool } from "../src";
import { dispatchOne } from "../src/scheduler/dispatch";
import { forgetAgentsWithoutPools, syncHostPools } from "../src/scheduler/sync-pools";

const image = "bailey-test/busybox:latest";

const refused = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

/** A host's agent as far as pools go: it keeps what pool.configure told it and reports each pool full. */
class PoolAgent {
  readonly calls: string[] = [];
  pools: PoolSpec[] = [];
  withoutPools = false;
  warmPoolId: string | null = null;
  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    this.calls.push(method);
    if (this.withoutPools && method.startsWith("pool.")) throw new RpcError(rpcErrorCodes.methodNotFound, `Unknown method "${method}".`, { method });
    if (method === "pool.configure") this.pools = params.pools as PoolSpec[];
    if (method === "pool.configure" || method === "pool.status") return { pools: this.pools.map(statusOf) };
    if (method === "run.create") return this.warmPoolId ? { warm: { poolId: this.warmPoolId } } : {};
    if (method === "run.start")
      return { containerId: `container-${params.runId}`, imageDigest: null, networkId: null, networkName: null, sidecars: [], ...(this.warmPoolId ? { warm: { poolId: this.warmPoolId } } : {}) };
    return {};
  }
}

const statusOf = (pool: PoolSpec): PoolStatus => ({
  poolId: pool.poolId,
  image: pool.image,
  imageDigest: null,
  sandbox: pool.sandbox,
  size: pool.size,
  idle: pool.size,
  starting: 0,
  claimedTotal: 0,
  lastError: null,
});

class AgentConnections extends HostConnections {
  constructor(readonly agents: Map<string, PoolAgent>) {
    super();
  }
  override get(host: { id: string }): AgentConnection {
    return this.agents.get(host.id) as unknown as AgentConnection;
  }
}

describe("warm pools: validation, tenancy, pushing to hosts and placement (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let admin: TeamContext;
  let member: TeamContext;
  let other: TeamContext;
  let hostId = "";
  let otherHostId = "";

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
    admin = ctx;
    member = (await addScratchMember(prisma, team.id, { role: "member" })).ctx;
    other = (await createScratchTeam(prisma, { role: "owner" })).ctx;
    hostId = (await prisma.host.create({ data: { teamId: team.id, name: "warm-host", transport: "local", address: "/nonexistent/a.sock", status: "online", hasRunsc: true, agentVersion: "1" } })).id;
    otherHostId = (await prisma.host.create({ data: { teamId: other.teamId, name: "theirs", transport: "local", address: "/nonexistent/b.sock", status: "online", hasRunsc: true } })).id;
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("admins create, change and remove pools, audited; bad input says what to do; members and other teams cannot", async () => {
    const pool = await createWarmPool({ prisma, ctx: admin, hostId, image, size: 2, resources: { cpus: 1 } });
    assert.equal(pool.hostName, "warm-host");
    assert.equal(pool.sandbox, "gvisor");
    assert.deepEqual(pool.resources, { cpus: 1 });
    assert.deepEqual(pool.idleCommand, []);
    assert.equal(pool.status, null);

    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 51 }), refused("BAD_REQUEST", /from 0 to 50/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: -1 }), refused("BAD_REQUEST", /from 0 to 50/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1.5 }), refused("BAD_REQUEST", /whole number/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image: "not an image; rm -rf /", size: 1 }), refused("BAD_REQUEST", /not an image reference/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image: " ", size: 1 }), refused("BAD_REQUEST", /Name the pool's image/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1, sandbox: "kata" }), refused("BAD_REQUEST", /"gvisor" or "none"/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1, resources: { timeoutSeconds: 60 } }), refused("BAD_REQUEST", /no timeout/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1, resources: { cpus: 0 } }), refused("BAD_REQUEST", /resources\.cpus/));
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1, idleCommand: [""] }), refused("BAD_REQUEST", /idleCommand/));
    // The same image, sandbox and resources twice on one host would only split the same runs.
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId, image, size: 1, resources: { cpus: 1 } }), refused("CONFLICT", /already has a pool/));
    // Another team's host is not found, whoever asks.
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId: otherHostId, image, size: 1 }), refused("NOT_FOUND", /no host/));
    await assert.rejects(createWarmPool({ prisma, ctx: member, hostId, image, size: 1 }), refused("FORBIDDEN", /admin role or higher/));
    await assert.rejects(updateWarmPool({ prisma, ctx: member, poolId: pool.id, size: 5 }), refused("FORBIDDEN", /admin role or higher/));
    await assert.rejects(deleteWarmPool({ prisma, ctx: member, poolId: pool.id }), refused("FORBIDDEN", /admin role or higher/));
    await assert.rejects(updateWarmPool({ prisma, ctx: other, poolId: pool.id, size: 5 }), refused("NOT_FOUND", /Pool not found/));
    await assert.rejects(deleteWarmPool({ prisma, ctx: other, poolId: pool.id }), refused("NOT_FOUND", /Pool not found/));
    assert.deepEqual(await listWarmPools({ prisma, ctx: other }), []);
    assert.deepEqual(
      (await listWarmPools({ prisma, ctx: member })).map((entry) => [entry.image, entry.size]),
      [[image, 2]],
    );

    const resized = await updateWarmPool({ prisma, ctx: admin, poolId: pool.id, size: 3, idleCommand: ["sleep", "3600"] });
    assert.equal(resized.size, 3);
    assert.deepEqual(resized.idleCommand, ["sleep", "3600"]);
    await assert.rejects(updateWarmPool({ prisma, ctx: admin, poolId: pool.id }), refused("BAD_REQUEST", /at least one/));
    const removed = await createWarmPool({ prisma, ctx: admin, hostId, image: "alpine:3", size: 0 });
    await deleteWarmPool({ prisma, ctx: admin, poolId: removed.id });

    const audit = await prisma.auditEvent.findMany({
      where: { teamId: admin.teamId, action: { startsWith: "pool." } },
      orderBy: { createdAt: "asc" },
      select: { action: true, targetId: true, hostId: true, actorId: true, data: true },
    });
    assert.deepEqual(
      audit.map((event) => [event.action, event.targetId, event.hostId, event.actorId]),
      [
        ["pool.created", pool.id, hostId, admin.actor.userId],
        ["pool.updated", pool.id, hostId, admin.actor.userId],
        ["pool.created", removed.id, hostId, admin.actor.userId],
        ["pool.deleted", removed.id, hostId, admin.actor.userId],
      ],
    );
    assert.deepEqual((audit[1]!.data as { changed: unknown }).changed, { size: { from: 2, to: 3 }, idleCommand: { from: [], to: ["sleep", "3600"] } });
  });

  it("a host without gVisor gets no gVisor pool", async () => {
    const plain = await prisma.host.create({
      data: { teamId: admin.teamId, name: "no-runsc", transport: "local", address: "/nonexistent/c.sock", status: "online", hasRunsc: false, agentVersion: "1" },
    });
    await assert.rejects(createWarmPool({ prisma, ctx: admin, hostId: plain.id, image, size: 1 }), refused("BAD_REQUEST", /no gVisor/));
    const none = await createWarmPool({ prisma, ctx: admin, hostId: plain.id, image, size: 1, sandbox: "none" });
    await deleteWarmPool({ prisma, ctx: admin, poolId: none.id });
    await prisma.host.delete({ where: { id: plain.id } });
  });

  it("the tick pushes a host's pools when they change or the agent lost them, polls otherwise, and records the status", async () => {
    const agent = new PoolAgent();
    const connections = new AgentConnections(new Map([[hostId, agent]]));
    const hostRow = () => prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    await syncHostPools({ prisma, connections, hosts: [await hostRow()] });
    assert.deepEqual(agent.calls, ["pool.configure"]);
    assert.deepEqual(
      agent.pools.map((pool) => [pool.image, pool.size, pool.idleCommand]),
      [[image, 3, ["sleep", "3600"]]],
    );
    const [listed] = await listWarmPools({ prisma, ctx: member });
    assert.equal(listed?.status?.idle, 3);
    assert.ok(listed?.statusAt);

    await syncHostPools({ prisma, connections, hosts: [await hostRow()] });
    assert.deepEqual(agent.calls, ["pool.configure", "pool.status"], "unchanged pools are only polled");

    await updateWarmPool({ prisma, ctx: admin, poolId: listed!.id, size: 1 });
    await syncHostPools({ prisma, connections, hosts: [await hostRow()] });
    assert.equal(agent.calls.at(-1), "pool.configure");
    assert.equal(agent.pools[0]?.size, 1);

    agent.pools = []; // the agent restarted and holds none
    await syncHostPools({ prisma, connections, hosts: [await hostRow()] });
    assert.equal(agent.calls.at(-1), "pool.status", "the last push looked current: the agent is asked");
    await syncHostPools({ prisma, connections, hosts: [await hostRow()] });
    assert.equal(agent.calls.at(-1), "pool.configure", "pools the agent no longer reports are pushed again");
    assert.equal(agent.pools.length, 1);
  });

  it("an agent without pools is asked once, and its host reports none", async () => {
    forgetAgentsWithoutPools();
    const agent = new PoolAgent();
    agent.withoutPools = true;
    const connections = new AgentConnections(new Map([[hostId, agent]]));
    await prisma.host.update({ where: { id: hostId }, data: { poolsPushedHash: null } });
    const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    await syncHostPools({ prisma, connections, hosts: [host] });
    await syncHostPools({ prisma, connections, hosts: [await prisma.host.findUniqueOrThrow({ where: { id: hostId } })] });
    assert.deepEqual(agent.calls, ["pool.configure"]);
    assert.deepEqual((await prisma.host.findUniqueOrThrow({ where: { id: hostId } })).poolStatus, []);
    forgetAgentsWithoutPools();
  });

  it("placement prefers a host with an idle matching container over a less loaded one, one run per idle container", async () => {
    const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
    const mk = (name: string) => prisma.host.create({ data: { teamId: team.id, name, transport: "local", address: `/nonexistent/${name}.sock`, status: "online", hasRunsc: true, capacityRuns: 10 } });
    const cold = await mk("cold");
    const warm = await mk("warm");
    const pool = await createWarmPool({ prisma, ctx, hostId: warm.id, image, size: 1 });
    // The warm host is busier: without the pool the cold one would be chosen.
    for (let i = 0; i < 2; i++) await prisma.run.create({ data: { teamId: team.id, hostId: warm.id, state: "running", spec: { image }, image, dependencies: [] } });
    const agent = new PoolAgent();
    await syncHostPools({ prisma, connections: new AgentConnections(new Map([[warm.id, agent]])), hosts: [warm] });
    const queue = async (spec: Record<string, unknown>, at: string) =>
      prisma.run.create({ data: { teamId: team.id, spec: { command: ["true"], ...spec }, image: String(spec.image), dependencies: [], createdAt: new Date(at) } });
    const first = await queue({ image }, "2026-03-01T00:00:00Z");
    const second = await queue({ image }, "2026-03-01T00:00:01Z");
    const otherImage = await queue({ image: "alpine:3" }, "2026-03-01T00:00:02Z");
    const withGrantsLike = await queue({ image, network: { policy: "strict" } }, "2026-03-01T00:00:03Z");
    assert.equal(await placeQueuedRuns({ prisma }), 4);
    const hostOf = async (id: string) => (await prisma.run.findUniqueOrThrow({ where: { id } })).hostId;
    assert.equal(await hostOf(first.id), warm.id, "the run that matches the idle container goes to it");
    assert.equal(await hostOf(second.id), cold.id, "one idle container takes one run; the next goes by load");
    assert.equal(await hostOf(otherImage.id), cold.id);
    assert.equal(await hostOf(withGrantsLike.id), cold.id, "a strict-egress run cannot take a warm container");

    // Dispatch records that the agent gave the run a warm container.
    agent.warmPoolId = pool.id;
    await prisma.run.update({ where: { id: first.id }, data: { state: "provisioning", dispatchAttempts: 1 } });
    await dispatchOne(prisma, new AgentConnections(new Map([[warm.id, agent]])), first.id);
    const dispatched = await prisma.run.findUniqueOrThrow({ where: { id: first.id } });
    assert.equal(dispatched.state, "running");
    assert.equal(dispatched.warmPoolId, pool.id);
  });
});
