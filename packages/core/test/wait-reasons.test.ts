import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type Prisma, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { explainQueuedRuns, placeQueuedRuns, verifyAuditChain } from "../src";

describe("why a queued run waits, and runs no host can ever take (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const newTeam = (timeout?: number) => prisma.team.create({ data: { slug: `waits-${randomBytes(4).toString("hex")}`, name: "Waits", ...(timeout ? { unplaceableTimeoutSeconds: timeout } : {}) } });
  const addHost = (teamId: string, data: Partial<Prisma.HostUncheckedCreateInput> & { name: string }) =>
    prisma.host.create({ data: { teamId, address: "127.0.0.1", status: "online", capacityRuns: 4, hasRunsc: true, hasNetworks: true, hasSidecars: true, lastSeenAt: new Date(), ...data } });
  const queue = (teamId: string, data: Partial<Prisma.RunUncheckedCreateInput> = {}) => prisma.run.create({ data: { teamId, spec: {}, image: "x", dependencies: [], ...data } });
  const read = (id: string) => prisma.run.findUniqueOrThrow({ where: { id } });
  /** Placement, then the reasons, as a tick runs them. */
  const step = async () => {
    await placeQueuedRuns({ prisma });
    return explainQueuedRuns({ prisma });
  };

  it("a team with no hosts: 'no hosts in this team', unplaceable from then on", async () => {
    const team = await newTeam();
    const run = await queue(team.id);
    await step();
    const waiting = await read(run.id);
    assert.equal(waiting.state, "queued");
    assert.match(waiting.waitReason ?? "", /^no hosts in this team/);
    assert.ok(waiting.unplaceableSince && waiting.waitReasonAt);
  });

  it("gVisor with a label only a host without runsc has: the host and what it lacks are named; another host's label too", async () => {
    const team = await newTeam();
    await addHost(team.id, { name: "hb-podman", labels: { engine: "podman" }, hasRunsc: false, runtimeType: "podman" });
    await addHost(team.id, { name: "hb-docker", labels: { engine: "docker" } });
    const run = await queue(team.id, { placement: { labels: { engine: "podman" } } });
    await step();
    const waiting = await read(run.id);
    assert.equal(waiting.state, "queued");
    assert.equal(waiting.waitReason, "no host matches labels engine=podman with gVisor: hb-docker has engine=docker; hb-podman has no gVisor (runsc)");
    assert.ok(waiting.unplaceableSince, "no host of the team could ever take it");
  });

  it("a matching host that is offline: waits for it (unplaceableSince cleared); back online, the run is placed and its reason cleared", async () => {
    const team = await newTeam();
    const host = await addHost(team.id, { name: "hb-away", status: "offline" });
    await addHost(team.id, { name: "hb-plain", hasRunsc: false });
    const run = await queue(team.id, { unplaceableSince: new Date(Date.now() - 60_000), waitReason: "no hosts in this team" });
    await step();
    const waiting = await read(run.id);
    assert.equal(waiting.waitReason, "no online host matches a run with gVisor: hb-away matches but is offline; hb-plain has no gVisor (runsc)");
    assert.equal(waiting.unplaceableSince, null, "a host that comes back could take it: no timeout clock");

    await prisma.host.update({ where: { id: host.id }, data: { status: "online" } });
    await step();
    const placed = await read(run.id);
    assert.equal(placed.state, "scheduled");
    assert.equal(placed.hostId, host.id);
    assert.deepEqual([placed.waitReason, placed.waitReasonAt, placed.unplaceableSince], [null, null, null]);
  });

  it("all matching hosts full: 'all 3 matching hosts are full (12/12)'; the only one: named", async () => {
    const team = await newTeam();
    for (const name of ["hb-1", "hb-2", "hb-3"]) await addHost(team.id, { name, capacityRuns: 4 });
    await addHost(team.id, { name: "hb-gpu", labels: { gpu: "yes" }, capacityRuns: 4 });
    for (let i = 0; i < 13; i++) await queue(team.id, { placement: { labels: {} }, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    await step();
    const left = await prisma.run.findMany({ where: { teamId: team.id, state: "queued" } });
    // Twelve took the plain hosts... and hb-gpu, which fits a run without labels: 16 slots for 13 runs.
    assert.equal(left.length, 0);

    const busy = await newTeam();
    for (const name of ["hb-1", "hb-2", "hb-3"]) await addHost(busy.id, { name, capacityRuns: 4 });
    await addHost(busy.id, { name: "hb-gpu", labels: { gpu: "yes" }, capacityRuns: 4 });
    for (let i = 0; i < 12; i++) await queue(busy.id, { placement: { labels: { pool: "main" } }, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    await prisma.host.updateMany({ where: { teamId: busy.id, name: { not: "hb-gpu" } }, data: { labels: { pool: "main" } } });
    const extra = await queue(busy.id, { placement: { labels: { pool: "main" } } });
    await step();
    const full = await read(extra.id);
    assert.equal(full.state, "queued");
    assert.equal(full.waitReason, "all 3 matching hosts are full (12/12)");
    assert.equal(full.unplaceableSince, null);

    const solo = await newTeam();
    await addHost(solo.id, { name: "hb-solo", capacityRuns: 1 });
    await queue(solo.id, { createdAt: new Date(Date.UTC(2026, 0, 1)) });
    const second = await queue(solo.id);
    await step();
    assert.equal((await read(second.id)).waitReason, "the only matching host, hb-solo, is full (1/1)");
  });

  it("placement honours each host's BAILEY_ALLOW: a docker:dind run goes only to a host allowing it, and the reason names the host and the line to add", async () => {
    const team = await newTeam();
    const strict = await addHost(team.id, { name: "hb-strict", allowedCapabilities: ["sandbox:none"] });
    const run = await queue(team.id, { dependencies: ["docker:dind"] });
    await step();
    const waiting = await read(run.id);
    assert.equal(waiting.state, "queued", "never dispatched to a host whose agent would refuse it");
    assert.equal(
      waiting.waitReason,
      "no host matches a run with gVisor and docker:dind: hb-strict does not allow docker:dind (its BAILEY_ALLOW is sandbox:none; put BAILEY_ALLOW=sandbox:none,docker:dind in /etc/bailey/agent.env on it and restart the agent)",
    );
    assert.ok(waiting.unplaceableSince);

    const none = await queue(team.id, { sandbox: "none" });
    await step();
    assert.equal((await read(none.id)).state, "scheduled", "sandbox:none is allowed there");

    await prisma.host.update({ where: { id: strict.id }, data: { allowedCapabilities: ["docker:dind", "sandbox:none"] } });
    await step();
    const placed = await read(run.id);
    assert.equal(placed.state, "scheduled");
    assert.equal(placed.unplaceableSince, null);
  });

  it("fails a run unplaceable for the team's unplaceableTimeoutSeconds, audited like a transition; a younger one and a waiting one are kept", async () => {
    const team = await newTeam(30);
    await addHost(team.id, { name: "hb-podman", labels: { engine: "podman" }, hasRunsc: false });
    const placement = { labels: { engine: "podman" } };
    const old = await queue(team.id, { placement, createdAt: new Date(Date.now() - 120_000) });
    const young = await queue(team.id, { placement });
    await step();
    assert.equal((await read(old.id)).state, "queued", "the clock starts when it is first found unplaceable");
    await prisma.run.update({ where: { id: old.id }, data: { unplaceableSince: new Date(Date.now() - 31_000) } });
    const report = await step();
    assert.equal(report.failed, 1);
    const failed = await read(old.id);
    assert.equal(failed.state, "failed");
    assert.equal(failed.stateReason, "no host can take this run: no host matches labels engine=podman with gVisor: hb-podman has no gVisor (runsc)");
    assert.ok(failed.finishedAt);
    assert.equal((await read(young.id)).state, "queued");
    const transition = await prisma.runTransition.findFirstOrThrow({ where: { runId: old.id, toState: "failed" } });
    assert.equal(transition.fromState, "queued");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { runId: old.id, action: "run.failed" } });
    assert.equal(audit.actorType, "system");
    assert.deepEqual(audit.data, { from: "queued", to: "failed", reason: failed.stateReason });
    assert.equal((await verifyAuditChain({ prisma, teamId: team.id })).valid, true);

    // An expired clock on a run a host could now take (offline, but it may come back): not failed.
    const waiting = await newTeam(30);
    await addHost(waiting.id, { name: "hb-away", status: "offline" });
    const kept = await queue(waiting.id, { unplaceableSince: new Date(Date.now() - 3600_000), waitReason: "no hosts in this team" });
    await step();
    const keptRun = await read(kept.id);
    assert.equal(keptRun.state, "queued");
    assert.equal(keptRun.unplaceableSince, null);
  });

  it("bounded writes: 20,000 queued runs get their reason at most 1,000 per tick, oldest first; a steady queue is then not rewritten", async () => {
    const team = await newTeam();
    const total = 20_000;
    const base = Date.UTC(2025, 0, 1);
    for (let offset = 0; offset < total; offset += 5000) {
      await prisma.run.createMany({ data: Array.from({ length: 5000 }, (_, i) => ({ teamId: team.id, spec: {}, image: "x", dependencies: [], createdAt: new Date(base + offset + i) })) });
    }
    const first = await explainQueuedRuns({ prisma });
    assert.equal(first.explained, 1000);
    const explainedFirst = await prisma.run.findMany({ where: { teamId: team.id, waitReason: { not: null } }, select: { createdAt: true }, orderBy: { createdAt: "desc" }, take: 1 });
    assert.equal(explainedFirst[0]?.createdAt.getTime(), base + 999, "the oldest thousand first");
    let ticks = 1;
    let written = first.explained;
    const started = Date.now();
    for (; written < total && ticks < 100; ticks++) written += (await explainQueuedRuns({ prisma })).explained;
    const catchUpMs = Date.now() - started;
    assert.equal(written, total);
    assert.equal(ticks, 20);
    const steadyStarted = Date.now();
    const steady = await explainQueuedRuns({ prisma });
    const steadyMs = Date.now() - steadyStarted;
    assert.equal(steady.explained, 0, "nothing changed: nothing written");
    const unchanged = await prisma.run.count({ where: { teamId: team.id, waitReasonAt: { gt: new Date(steadyStarted) } } });
    assert.equal(unchanged, 0);
    console.log(`[waits] ${total} queued runs explained in ${ticks} ticks of ≤1000 writes (${catchUpMs} ms for ticks 2..${ticks}); a steady tick over them: ${steadyMs} ms, 0 writes`);
    await prisma.run.deleteMany({ where: { teamId: team.id } });
  });
});
