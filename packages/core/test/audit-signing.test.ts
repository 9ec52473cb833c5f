import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import {
  chainHash,
  exportAuditEvents,
  generateAuditSigningKeyPem,
  parseAuditSigningKey,
  recordAuditEvent,
  signAuditCheckpoint,
  signDueAuditCheckpoints,
  verifyAuditChain,
  type AuditSigningKey,
} from "../src/audit";

const root = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const cli = path.join(root, "packages/core/src/audit/cli/verify-export.ts");
const run = promisify(execFile);

/** What a database-level attacker does: change one row, then recompute every later hash and the head with Bailey's own hashing. */
async function forgeAndRecompute(prisma: PrismaClient, teamId: string, seq: number, data: Record<string, unknown>) {
  await prisma.$executeRaw`UPDATE "AuditEvent" SET "data" = ${JSON.stringify(data)}::jsonb WHERE "teamId" = ${teamId} AND "seq" = ${seq}`;
  const events = await prisma.auditEvent.findMany({ where: { teamId, seq: { gte: seq } }, orderBy: { seq: "asc" } });
  let prevHash = (await prisma.auditEvent.findUniqueOrThrow({ where: { teamId_seq: { teamId, seq: seq - 1 } } })).hash;
  for (const event of events) {
    const hash = chainHash(prevHash, event);
    await prisma.$executeRaw`UPDATE "AuditEvent" SET "prevHash" = ${prevHash}, "hash" = ${hash} WHERE "id" = ${event.id}`;
    prevHash = hash;
  }
  await prisma.$executeRaw`UPDATE "AuditChainHead" SET "hash" = ${prevHash} WHERE "teamId" = ${teamId}`;
}

async function appendEvents(prisma: PrismaClient, teamId: string, count: number) {
  for (let i = 0; i < count; i += 1) await recordAuditEvent(prisma, { teamId, actorType: "system", action: "test.signed", data: { i } });
}

async function verifyFile(file: string, publicKeyFile: string) {
  return run(process.execPath, ["--import", "tsx", cli, file, "--public-key", publicKeyFile], { cwd: root }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
  );
}

describe("signed audit checkpoints", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let key: AuditSigningKey;
  let dir = "";
  const newTeam = async (slug: string) => (await prisma.team.create({ data: { slug, name: slug } })).id;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 4 });
    key = parseAuditSigningKey(generateAuditSigningKeyPem(), "test key");
    dir = await mkdtemp(path.join(tmpdir(), "bailey-audit-"));
    await writeFile(path.join(dir, "key.pub"), key.publicKeyPem);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("verifies a chain with checkpoints and reports how far the signatures reach", async () => {
    const teamId = await newTeam("signed-valid");
    await appendEvents(prisma, teamId, 10);
    assert.ok("signed" in (await signAuditCheckpoint({ prisma, teamId, key })));
    await appendEvents(prisma, teamId, 3);
    const result = await verifyAuditChain({ prisma, teamId, key });
    assert.equal(result.valid, true);
    assert.equal(result.events, 13);
    assert.deepEqual(
      { checkpoints: result.signatures.checkpoints, lastSignedSeq: result.signatures.lastSignedSeq, unsignedEvents: result.signatures.unsignedEvents },
      { checkpoints: 1, lastSignedSeq: 10, unsignedEvents: 3 },
    );
    assert.match(result.signatures.summary, /through event #10.*3 later event/);
    const unconfigured = await verifyAuditChain({ prisma, teamId });
    assert.equal(unconfigured.signatures.configured, false);
    assert.match(unconfigured.signatures.summary, /BAILEY_AUDIT_SIGNING_KEY_FILE/);
  });

  it("detects a row altered and the whole chain recomputed, naming the first event after the last valid checkpoint", async () => {
    const teamId = await newTeam("signed-forged");
    await appendEvents(prisma, teamId, 10);
    await signAuditCheckpoint({ prisma, teamId, key });
    await appendEvents(prisma, teamId, 10);
    await signAuditCheckpoint({ prisma, teamId, key });
    await appendEvents(prisma, teamId, 5);

    await forgeAndRecompute(prisma, teamId, 15, { i: "forged" });
    assert.equal((await verifyAuditChain({ prisma, teamId })).valid, true, "the hashes alone cannot see a recomputed chain");
    const result = await verifyAuditChain({ prisma, teamId, key });
    assert.equal(result.valid, false);
    assert.equal(result.valid === false && result.brokenAtSeq, 11);
    assert.match(result.valid === false ? result.reason : "", /checkpoint signed at event 20 .*no longer matches.*after the last valid checkpoint \(event 10\)/);
    assert.equal(result.signatures.lastSignedSeq, 10);

    const refused = await signAuditCheckpoint({ prisma, teamId, key });
    assert.ok("refused" in refused, "the signer does not sign a rewritten chain");
    assert.equal(await prisma.auditCheckpoint.count({ where: { teamId } }), 2);

    // Forging the checkpoint to match needs the private key; rewriting its hash is noticed.
    const forgedHash = (await prisma.auditEvent.findUniqueOrThrow({ where: { teamId_seq: { teamId, seq: 20 } } })).hash;
    await prisma.$executeRaw`UPDATE "AuditCheckpoint" SET "hash" = ${forgedHash} WHERE "teamId" = ${teamId} AND "seq" = 20`;
    const forgedCheckpoint = await verifyAuditChain({ prisma, teamId, key });
    assert.equal(forgedCheckpoint.valid === false && forgedCheckpoint.brokenAtSeq, 11);
    assert.match(forgedCheckpoint.valid === false ? forgedCheckpoint.reason : "", /checkpoint at event 20 does not carry a valid signature/);

    // Deleting the checkpoint that caught it is the limit: the events after the remaining one are reported as unsigned.
    await prisma.auditCheckpoint.deleteMany({ where: { teamId, seq: 20 } });
    const afterDeletion = await verifyAuditChain({ prisma, teamId, key });
    assert.equal(afterDeletion.valid, true);
    assert.deepEqual({ lastSignedSeq: afterDeletion.signatures.lastSignedSeq, unsignedEvents: afterDeletion.signatures.unsignedEvents }, { lastSignedSeq: 10, unsignedEvents: 15 });
  });

  it("notices events deleted from the end even when the head was rewritten to match", async () => {
    const teamId = await newTeam("signed-truncated");
    await appendEvents(prisma, teamId, 8);
    await signAuditCheckpoint({ prisma, teamId, key });
    const six = await prisma.auditEvent.findUniqueOrThrow({ where: { teamId_seq: { teamId, seq: 6 } } });
    await prisma.$executeRaw`DELETE FROM "AuditEvent" WHERE "teamId" = ${teamId} AND "seq" > 6`;
    await prisma.$executeRaw`UPDATE "AuditChainHead" SET "seq" = 6, "hash" = ${six.hash} WHERE "teamId" = ${teamId}`;
    assert.equal((await verifyAuditChain({ prisma, teamId })).valid, true);
    const result = await verifyAuditChain({ prisma, teamId, key });
    assert.equal(result.valid === false && result.brokenAtSeq, 1);
    assert.match(result.valid === false ? result.reason : "", /signed at event 8 but the chain ends at event 6/);
  });

  it("signs heads on schedule: after enough events or once the oldest unsigned event is old enough", async () => {
    const teamId = await newTeam("signed-schedule");
    await appendEvents(prisma, teamId, 4);
    const schedule = { everyEvents: 5, everySeconds: 60 };
    const count = () => prisma.auditCheckpoint.count({ where: { teamId } });
    await signDueAuditCheckpoints({ prisma, key, schedule });
    assert.equal(await count(), 0, "4 fresh events are not due yet");
    await appendEvents(prisma, teamId, 1);
    await signDueAuditCheckpoints({ prisma, key, schedule });
    assert.equal(await count(), 1, "5 events are");
    await appendEvents(prisma, teamId, 1);
    await signDueAuditCheckpoints({ prisma, key, schedule, now: new Date(Date.now() + 61_000) });
    assert.deepEqual(
      (await prisma.auditCheckpoint.findMany({ where: { teamId }, orderBy: { seq: "asc" } })).map((checkpoint) => checkpoint.seq),
      [5, 6],
    );
  });

  it("exports a file the offline verifier accepts with the public key and rejects when tampered or checked with another key", async () => {
    const teamId = await newTeam("signed-export");
    await appendEvents(prisma, teamId, 12);
    await signAuditCheckpoint({ prisma, teamId, key });
    await appendEvents(prisma, teamId, 4);
    let text = "";
    for await (const chunk of exportAuditEvents({ prisma, ctx: { teamId }, key, pageSize: 5 })) text += chunk;
    const lines = text.trim().split("\n");
    const kinds = lines.map((line) => (JSON.parse(line) as { kind?: string }).kind ?? "event");
    assert.deepEqual(kinds.filter((kind) => kind === "event").length, 16);
    assert.equal(kinds.at(-1), "head");
    assert.equal(kinds[12], "checkpoint", "the checkpoint at 12 follows event 12");
    assert.equal(await prisma.auditCheckpoint.count({ where: { teamId } }), 2, "the export signed and stored its head");
    const exportFile = path.join(dir, "export.jsonl");
    await writeFile(exportFile, text);

    const valid = await verifyFile(exportFile, path.join(dir, "key.pub"));
    assert.equal(valid.code, 0, valid.stdout);
    assert.match(valid.stdout, /valid: 16 events/);

    // An edited line, hashes left alone: the altered event itself is named.
    const edited = lines.map((line) => (JSON.parse(line).seq === 7 && !JSON.parse(line).kind ? line.replace('"i":6', '"i":666') : line));
    await writeFile(path.join(dir, "edited.jsonl"), `${edited.join("\n")}\n`);
    const editedResult = await verifyFile(path.join(dir, "edited.jsonl"), path.join(dir, "key.pub"));
    assert.equal(editedResult.code, 1);
    assert.match(editedResult.stdout, /INVALID at event 7: event 7 was altered/);

    // An edited line with every later hash recomputed: the checkpoint at 12 no longer matches.
    let prevHash = "";
    const recomputed = lines.map((line) => {
      const parsed = JSON.parse(line);
      if (parsed.kind) return line;
      if (parsed.seq === 3) parsed.data = { i: "forged" };
      if (parsed.seq >= 3) {
        parsed.prevHash = prevHash;
        parsed.hash = chainHash(prevHash, { ...parsed, createdAt: new Date(parsed.createdAt) });
      }
      prevHash = parsed.hash;
      return JSON.stringify(parsed);
    });
    await writeFile(path.join(dir, "recomputed.jsonl"), `${recomputed.join("\n")}\n`);
    const recomputedResult = await verifyFile(path.join(dir, "recomputed.jsonl"), path.join(dir, "key.pub"));
    assert.equal(recomputedResult.code, 1);
    assert.match(recomputedResult.stdout, /INVALID at event 1: the checkpoint signed at event 12/);

    // Cut short: the signed head is gone.
    await writeFile(path.join(dir, "cut.jsonl"), `${lines.slice(0, 10).join("\n")}\n`);
    const cut = await verifyFile(path.join(dir, "cut.jsonl"), path.join(dir, "key.pub"));
    assert.equal(cut.code, 1);
    assert.match(cut.stdout, /no signed head line/);

    const otherKey = parseAuditSigningKey(generateAuditSigningKeyPem(), "other key");
    await writeFile(path.join(dir, "other.pub"), otherKey.publicKeyPem);
    const wrongKey = await verifyFile(exportFile, path.join(dir, "other.pub"));
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stdout, new RegExp(`signed by key ${key.keyId}, not by the public key given \\(${otherKey.keyId}\\)`));

    await writeFile(path.join(dir, "not-a-key.pub"), "hello");
    const badKey = await verifyFile(exportFile, path.join(dir, "not-a-key.pub"));
    assert.equal(badKey.code, 2);
    assert.match(badKey.stdout, /is not a PEM public key/);
    assert.equal((await readFile(exportFile, "utf8")).length, text.length);
  });
});
