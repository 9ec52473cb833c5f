import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient, type RunState } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { AppError, listRuns } from "../src";

describe("listRuns", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let teamId = "";
  let otherTeamId = "";

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    teamId = (await prisma.team.create({ data: { slug: "runs-a", name: "A" } })).id;
    otherTeamId = (await prisma.team.create({ data: { slug: "runs-b", name: "B" } })).id;
    // Five runs share one timestamp so that paging must fall back to the id.
    const sameMoment = new Date("2026-01-01T00:00:00Z");
    const states: RunState[] = ["queued", "running", "succeeded", "failed", "queued", "queued", "running"];
    await prisma.run.createMany({
      data: states.map((state, i) => ({
        teamId,
        state,
        name: `run-${i}`,
        spec: {},
        createdAt: i < 5 ? sameMoment : new Date(sameMoment.getTime() + i * 1000),
      })),
    });
    await prisma.run.create({ data: { teamId: otherTeamId, name: "not-yours", spec: {} } });
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("is empty for a team with no runs", async () => {
    const emptyTeam = await prisma.team.create({ data: { slug: "runs-empty", name: "Empty" } });
    assert.deepEqual(await listRuns({ prisma, ctx: { teamId: emptyTeam.id }, limit: 50 }), { runs: [], nextCursor: null });
  });

  it("pages newest first through every run of the team exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns({ prisma, ctx: { teamId }, limit: 2, cursor });
      assert.ok(page.runs.length <= 2);
      seen.push(...page.runs.map((run) => run.name ?? ""));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7, "no run appears twice");
    assert.deepEqual(seen.slice(0, 2), ["run-6", "run-5"]);
    assert.ok(!seen.includes("not-yours"));
  });

  it("filters by state", async () => {
    const { runs } = await listRuns({ prisma, ctx: { teamId }, state: "queued", limit: 50 });
    assert.deepEqual(runs.map((run) => run.name).sort(), ["run-0", "run-4", "run-5"]);
  });

  it("refuses a cursor it did not issue", async () => {
    await assert.rejects(listRuns({ prisma, ctx: { teamId }, limit: 5, cursor: "garbage" }), (error: unknown) => error instanceof AppError && error.code === "BAD_REQUEST");
  });

  it("names each run's host, and null for runs with none", async () => {
    const hostTeam = await prisma.team.create({ data: { slug: "runs-hosts", name: "Hosts" } });
    const host = await prisma.host.create({ data: { teamId: hostTeam.id, name: "apple", address: "127.0.0.1", status: "online", capacityRuns: 2, lastSeenAt: new Date() } });
    await prisma.run.createMany({
      data: [
        { teamId: hostTeam.id, name: "on-apple", hostId: host.id, spec: {}, createdAt: new Date("2026-01-01T00:00:02Z") },
        { teamId: hostTeam.id, name: "also-on-apple", hostId: host.id, spec: {}, createdAt: new Date("2026-01-01T00:00:01Z") },
        { teamId: hostTeam.id, name: "unplaced", spec: {}, createdAt: new Date("2026-01-01T00:00:00Z") },
      ],
    });
    const { runs } = await listRuns({ prisma, ctx: { teamId: hostTeam.id }, limit: 50 });
    assert.deepEqual(
      runs.map((run) => [run.name, run.host]),
      [
        ["on-apple", { name: "apple" }],
        ["also-on-apple", { name: "apple" }],
        ["unplaced", null],
      ],
    );
  });
});
