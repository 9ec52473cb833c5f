import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { AppError, DirectoryBlobStore, expireRunBlobs, getRunPolicy, getRunResults, openRunResult, runLogKey, runResultKey, type TeamContext, teamStorage, updateRunPolicy } from "../src";

const refused = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000);

describe("retention of stored logs and results (real Postgres, the directory blob store)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let blobs: DirectoryBlobStore;
  let admin: TeamContext;
  let member: TeamContext;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-retention-"));
    blobs = new DirectoryBlobStore(path.join(dir, "blobs"));
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
    admin = ctx;
    member = (await addScratchMember(prisma, team.id, { role: "member" })).ctx;
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A finished workspace run with a stored log and a stored artifact, as the shippers leave it. */
  const storedRun = async (ctx: TeamContext, finishedDaysAgo: number, bytes = 1000) => {
    const log = randomBytes(bytes);
    const artifact = randomBytes(bytes * 2);
    const run = await prisma.run.create({
      data: {
        teamId: ctx.teamId,
        spec: { image: "bailey-test/busybox:latest", workspace: {}, artifacts: ["*.bin"] },
        state: "succeeded",
        finishedAt: daysAgo(finishedDaysAgo),
        resultsState: "complete",
        logBytesStored: BigInt(log.length),
        logsCompleteAt: daysAgo(finishedDaysAgo),
      },
    });
    await blobs.putPart(runLogKey(run.id), 0, log);
    await blobs.putPart(runResultKey(run.id, "artifacts/a.bin"), 0, artifact);
    await prisma.runResult.create({
      data: { runId: run.id, name: "artifacts/a.bin", kind: "artifact", sizeBytes: BigInt(artifact.length), sha256: "0".repeat(64), storedBytes: BigInt(artifact.length), completedAt: new Date() },
    });
    return { id: run.id, bytes: log.length + artifact.length };
  };

  it("admins set blobRetentionDays (1-3650, audited); others may not", async () => {
    assert.equal((await getRunPolicy({ prisma, ctx: admin })).blobRetentionDays, 30, "30 days by default");
    for (const days of [0, 3651, 1.5])
      await assert.rejects(updateRunPolicy({ prisma, ctx: admin, changes: { blobRetentionDays: days } }), refused("BAD_REQUEST", /blobRetentionDays must be a whole number of days from 1 to 3650/));
    await assert.rejects(updateRunPolicy({ prisma, ctx: member, changes: { blobRetentionDays: 7 } }), refused("FORBIDDEN", /admin/));
    assert.equal((await updateRunPolicy({ prisma, ctx: admin, changes: { blobRetentionDays: 7 } })).blobRetentionDays, 7);
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "team.policy_changed" }, orderBy: { seq: "desc" } });
    assert.deepEqual(audit.data, { changed: { blobRetentionDays: { from: 30, to: 7 } } });
  });

  it("removes the blobs of runs finished longer ago than the team's retention, once; the API then says why; the storage total follows", async () => {
    const other = await createScratchTeam(prisma, { role: "admin" });
    const old = await storedRun(admin, 8);
    const fresh = await storedRun(admin, 6);
    const othersOld = await storedRun(other.ctx, 8);
    assert.deepEqual(await teamStorage({ prisma, ctx: member }), { storageBytes: old.bytes + fresh.bytes, blobRetentionDays: 7 });

    // Two control planes at once: each run's blobs are removed by exactly one of them.
    const [first, second] = await Promise.all([expireRunBlobs({ prisma, blobs }), expireRunBlobs({ prisma, blobs })]);
    assert.equal(first.runs + second.runs, 1, "7 days for this team: only its 8-day-old run; the other team keeps 30");
    assert.equal(first.bytesFreed + second.bytesFreed, old.bytes);
    assert.deepEqual(await expireRunBlobs({ prisma, blobs }), { runs: 0, bytesFreed: 0 }, "nothing left to remove");
    assert.deepEqual(await readdir(path.join(dir, "blobs", "runs")).then((names) => names.sort()), [fresh.id, othersOld.id].sort(), "its directory is gone, the others stay");

    const expired = await prisma.run.findUniqueOrThrow({ where: { id: old.id } });
    assert.ok(expired.blobsExpiredAt, "blobsExpiredAt set");
    assert.equal(expired.state, "succeeded", "the run's record stays");
    assert.equal(await prisma.auditEvent.count({ where: { runId: old.id, action: "run.blobs_expired" } }), 1);
    const view = await getRunResults({ prisma, ctx: member, runId: old.id });
    assert.deepEqual(
      view.files.map((file) => file.stored),
      [false],
    );
    assert.match(view.missing.at(-1)?.reason ?? "", /expired by the team's retention \(7 days\)/);
    assert.equal(view.logs.storedBytes, 0);
    await assert.rejects(openRunResult({ prisma, blobs, ctx: member, runId: old.id, name: "artifacts/a.bin" }), refused("NOT_FOUND", /is gone: expired by the team's retention \(7 days\)/));
    const kept = await openRunResult({ prisma, blobs, ctx: member, runId: fresh.id, name: "artifacts/a.bin" });
    let keptBytes = 0;
    for await (const chunk of kept.stream) keptBytes += (chunk as Buffer).length;
    assert.equal(keptBytes, kept.sizeBytes);
    assert.deepEqual(await teamStorage({ prisma, ctx: member }), { storageBytes: fresh.bytes, blobRetentionDays: 7 });
  });

  it("a removal that fails gives its claim back, so the next clean-up tries again", async () => {
    const team = await createScratchTeam(prisma, { role: "admin" });
    const run = await storedRun(team.ctx, 40);
    const failing = Object.assign(Object.create(blobs) as DirectoryBlobStore, {
      deletePrefix: async () => {
        throw new Error("the disk is read-only");
      },
    });
    await assert.rejects(expireRunBlobs({ prisma, blobs: failing }), /read-only/);
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).blobsExpiredAt, null);
    assert.equal((await expireRunBlobs({ prisma, blobs })).runs, 1);
  });
});
