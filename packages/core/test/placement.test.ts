import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { placeQueuedRuns } from "../src";

describe("placement against Postgres", () => {
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

  it("a team whose runs can go nowhere does not starve another team's queue", async () => {
    const stuck = await prisma.team.create({ data: { slug: "no-hosts", name: "No hosts" } });
    const served = await prisma.team.create({ data: { slug: "served", name: "Served" } });
    const long = new Date("2026-01-01T00:00:00Z");
    // 700 older runs of a team without hosts: more than one placement window.
    await prisma.run.createMany({ data: Array.from({ length: 700 }, (_, i) => ({ teamId: stuck.id, spec: {}, image: "x", dependencies: [], createdAt: new Date(long.getTime() + i) })) });
    const host = await prisma.host.create({ data: { teamId: served.id, name: "h", address: "127.0.0.1", status: "online", capacityRuns: 2, hasRunsc: true } });
    const run = await prisma.run.create({ data: { teamId: served.id, spec: {}, image: "x", dependencies: [] } });
    assert.equal(await placeQueuedRuns({ prisma }), 1);
    assert.deepEqual(await prisma.run.findUniqueOrThrow({ where: { id: run.id }, select: { state: true, hostId: true } }), { state: "scheduled", hostId: host.id });
  });

  it("within a team the oldest queued run is placed first", async () => {
    const team = await prisma.team.create({ data: { slug: "ordered", name: "Ordered" } });
    await prisma.host.create({ data: { teamId: team.id, name: "one-slot", address: "127.0.0.1", status: "online", capacityRuns: 1, hasRunsc: true } });
    const newer = await prisma.run.create({ data: { teamId: team.id, spec: {}, image: "x", dependencies: [], createdAt: new Date("2026-02-02T00:00:00Z") } });
    const older = await prisma.run.create({ data: { teamId: team.id, spec: {}, image: "x", dependencies: [], createdAt: new Date("2026-02-01T00:00:00Z") } });
    await placeQueuedRuns({ prisma });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: older.id } })).state, "scheduled");
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: newer.id } })).state, "queued");
  });
});
