import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient, type RunState } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { AppError, teamOverview } from "../src";

// The overview is taken at 12:30 UTC over 3 hours: the hours starting 10:00, 11:00 and 12:00.
const now = new Date("2026-03-10T12:30:00Z");
const at = (hhmm: string) => new Date(`2026-03-10T${hhmm}:00Z`);

describe("teamOverview", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let teamId = "";

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    teamId = (await prisma.team.create({ data: { slug: "overview", name: "Overview" } })).id;
    const otherTeamId = (await prisma.team.create({ data: { slug: "overview-other", name: "Other" } })).id;
    const h1 = await prisma.host.create({ data: { teamId, name: "h1", address: "10.0.0.1", capacityRuns: 4, status: "online" } });
    const h2 = await prisma.host.create({ data: { teamId, name: "h2", address: "10.0.0.2", capacityRuns: 2, status: "online" } });
    const run = (name: string, state: RunState, created: string, started: string | null, finished: string | null, hostId: string | null = null, team = teamId) => ({
      teamId: team,
      name,
      spec: {},
      state,
      hostId,
      createdAt: at(created),
      startedAt: started ? at(started) : null,
      finishedAt: finished ? at(finished) : null,
    });
    await prisma.run.createMany({
      data: [
        run("r1", "succeeded", "10:05", "10:06", "10:10", h1.id), // waited 60 s
        run("r2", "failed", "10:20", "10:23", "10:25", h1.id), // 180 s
        run("r3", "succeeded", "11:10", "11:20", "11:40", h2.id), // 600 s
        run("r4", "queued", "11:15", null, null),
        run("r5", "succeeded", "09:00", "10:30", "10:40", h2.id), // created before the window, queued into it
        run("r6", "queued", "08:00", null, null), // queued all along
        run("r7", "cancelled", "12:05", null, "12:10"), // left the queue without starting
        run("r8", "running", "12:10", "12:12", null, h1.id), // 120 s, active now
        run("r9", "timed_out", "12:20", "12:21", "12:25", h2.id), // 60 s
        run("r10", "failed", "12:15", null, "12:16"), // failed before any host took it
        run("r11", "queued", "12:25", null, null),
        run("future", "queued", "12:40", null, null), // after the overview's moment
        run("theirs", "failed", "11:30", "11:31", "11:32", null, otherTeamId),
      ],
    });
    await prisma.hostSample.createMany({
      data: [
        { hostId: h1.id, at: at("09:50"), runningRuns: 4 }, // before the window
        { hostId: h1.id, at: at("10:10"), runningRuns: 2 },
        { hostId: h1.id, at: at("10:40"), runningRuns: 4 },
        { hostId: h1.id, at: at("12:05"), runningRuns: 1 },
      ],
    });
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("counts the runs created in each hour by how they ended", async () => {
    const overview = await teamOverview({ prisma, ctx: { teamId }, hours: 3, now });
    assert.deepEqual(
      overview.runsPerHour.map((hour) => ({ ...hour, hour: hour.hour.toISOString() })),
      [
        { hour: "2026-03-10T10:00:00.000Z", total: 2, succeeded: 1, failed: 1, timed_out: 0, lost: 0, cancelled: 0, unfinished: 0 },
        { hour: "2026-03-10T11:00:00.000Z", total: 2, succeeded: 1, failed: 0, timed_out: 0, lost: 0, cancelled: 0, unfinished: 1 },
        { hour: "2026-03-10T12:00:00.000Z", total: 5, succeeded: 0, failed: 1, timed_out: 1, lost: 0, cancelled: 1, unfinished: 2 },
      ],
    );
    assert.deepEqual(overview.totals, { runs: 9, failed: 3, succeeded: 2, queuedNow: 3 });
    assert.equal(overview.from.toISOString(), "2026-03-10T10:00:00.000Z");
  });

  it("reconstructs the queue depth at the end of each hour from createdAt and startedAt", async () => {
    const { queueDepth } = await teamOverview({ prisma, ctx: { teamId }, hours: 3, now });
    assert.deepEqual(
      queueDepth.map((point) => [point.at.toISOString(), point.queued]),
      [
        ["2026-03-10T11:00:00.000Z", 1], // r6 (r5 started at 10:30)
        ["2026-03-10T12:00:00.000Z", 2], // r6, r4
        ["2026-03-10T12:30:00.000Z", 3], // r6, r4, r11 (r7 cancelled, r10 failed, r8 and r9 started)
      ],
    );
  });

  it("gives p50 and p90 of the start latency per hour and over the window", async () => {
    const { startLatency } = await teamOverview({ prisma, ctx: { teamId }, hours: 3, now });
    assert.deepEqual(
      startLatency.hours.map(({ started, p50Ms, p90Ms }) => ({ started, p50Ms, p90Ms })),
      [
        { started: 2, p50Ms: 120_000, p90Ms: 168_000 }, // 60 s and 180 s, interpolated
        { started: 1, p50Ms: 600_000, p90Ms: 600_000 },
        { started: 2, p50Ms: 90_000, p90Ms: 114_000 }, // 120 s and 60 s
      ],
    );
    // 60, 60, 120, 180, 600 s: the median is 120 s; p90 is 180 + 0.6 × 420 s.
    assert.deepEqual(startLatency.overall, { started: 5, p50Ms: 120_000, p90Ms: 432_000 });
  });

  it("counts failures per host, runs no host took as their own row", async () => {
    const { failuresByHost } = await teamOverview({ prisma, ctx: { teamId }, hours: 3, now });
    assert.deepEqual(
      failuresByHost.map(({ hostName, failed, total }) => ({ hostName, failed, total })),
      [
        { hostName: null, failed: 1, total: 4 },
        { hostName: "h1", failed: 1, total: 3 },
        { hostName: "h2", failed: 1, total: 2 },
      ],
    );
  });

  it("gives each host's load now and its mean per hour from its samples", async () => {
    const { hosts } = await teamOverview({ prisma, ctx: { teamId }, hours: 3, now });
    assert.deepEqual(
      hosts.map(({ name, capacity, active, utilisation, hourly }) => ({ name, capacity, active, utilisation, hourly })),
      [
        { name: "h1", capacity: 4, active: 1, utilisation: 0.25, hourly: [0.75, null, 0.25] },
        { name: "h2", capacity: 2, active: 0, utilisation: 0, hourly: [null, null, null] },
      ],
    );
  });

  it("is all zeros for a team with nothing yet, one point per hour", async () => {
    const empty = await prisma.team.create({ data: { slug: "overview-empty", name: "Empty" } });
    const overview = await teamOverview({ prisma, ctx: { teamId: empty.id }, hours: 24, now });
    assert.equal(overview.runsPerHour.length, 24);
    assert.equal(overview.queueDepth.length, 24);
    assert.ok(overview.runsPerHour.every((hour) => hour.total === 0));
    assert.ok(overview.queueDepth.every((point) => point.queued === 0));
    assert.deepEqual(overview.startLatency.overall, { started: 0, p50Ms: null, p90Ms: null });
    assert.deepEqual(overview.failuresByHost, []);
    assert.deepEqual(overview.hosts, []);
  });

  it("refuses a window it cannot draw", async () => {
    for (const hours of [0, -1, 1.5, 24 * 7 + 1]) {
      await assert.rejects(teamOverview({ prisma, ctx: { teamId }, hours, now }), (error: unknown) => error instanceof AppError && error.code === "BAD_REQUEST" && /from 1 to 168/.test(error.message));
    }
  });
});
