import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { recordAuditEvent, verifyAuditChain } from "../src/audit";

describe("the audit hash chain", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let teamId = "";
  let otherTeamId = "";

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 20 });
    teamId = (await prisma.team.create({ data: { slug: "audit-a", name: "A" } })).id;
    otherTeamId = (await prisma.team.create({ data: { slug: "audit-b", name: "B" } })).id;
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("verifies a chain written by 100 concurrent appends across two teams", async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        recordAuditEvent(prisma, {
          teamId: i % 2 ? teamId : otherTeamId,
          actorType: "system",
          action: "test.concurrent",
          data: { i, nested: { b: 2, a: [1, "x"] } },
        }),
      ),
    );
    const result = await verifyAuditChain({ prisma, teamId });
    assert.deepEqual({ valid: result.valid, events: result.events }, { valid: true, events: 50 });
    const seqs = (await prisma.auditEvent.findMany({ where: { teamId }, orderBy: { seq: "asc" } })).map((event) => event.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: 50 }, (_, i) => i + 1),
      "sequence numbers have no gaps or repeats",
    );
    assert.equal((await verifyAuditChain({ prisma, teamId: otherTeamId })).valid, true);
  });

  it("names the sequence number of a row tampered with in the database", async () => {
    await prisma.$executeRaw`UPDATE "AuditEvent" SET "data" = '{"i": 999}' WHERE "teamId" = ${teamId} AND "seq" = 17`;
    const result = await verifyAuditChain({ prisma, teamId });
    assert.equal(result.valid, false);
    assert.equal(result.valid === false && result.brokenAtSeq, 17);
    assert.match(result.valid === false ? result.reason : "", /altered/);
    assert.equal((await verifyAuditChain({ prisma, teamId: otherTeamId })).valid, true, "another team's chain is unaffected");
  });

  it("notices events deleted from the end", async () => {
    const result0 = await verifyAuditChain({ prisma, teamId: otherTeamId });
    assert.equal(result0.valid, true);
    await prisma.$executeRaw`DELETE FROM "AuditEvent" WHERE "teamId" = ${otherTeamId} AND "seq" = 50`;
    const result = await verifyAuditChain({ prisma, teamId: otherTeamId });
    assert.equal(result.valid === false && result.brokenAtSeq, 50);
  });
});
