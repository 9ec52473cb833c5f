import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import {
  createSecretsKeyFile,
  createTeamSecret,
  deleteTeamSecret,
  exportAuditEvents,
  listTeamSecrets,
  openValue,
  parseSecretName,
  rotateSecrets,
  type SecretsKey,
  type TeamContext,
  updateTeamSecret,
  verifyAuditChain,
} from "../src";

/** Every row of every table as text (what pg_dump's data section would hold). */
async function dumpAllRows(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    parts.push(`-- ${name}`, ...rows.map((row) => row.row));
  }
  return parts.join("\n");
}

const openSecret = (key: SecretsKey, row: { teamId: string; name: string; ciphertext: Uint8Array<ArrayBuffer>; iv: Uint8Array<ArrayBuffer>; authTag: Uint8Array<ArrayBuffer>; keyId: string }) =>
  openValue(key, row, ["team-secret", row.teamId, row.name]);

describe("team secrets", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let admin: TeamContext;
  let member: TeamContext;
  let viewer: TeamContext;
  let outsider: TeamContext;
  let keyDir: string;
  let key: SecretsKey;
  let otherKey: SecretsKey;
  const value = `sv-${randomBytes(12).toString("hex")}`;
  const replacement = `sv2-${randomBytes(12).toString("hex")}`;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx: admin } = await createScratchTeam(prisma, { role: "admin", email: "ada@secrets.test" }));
    ({ ctx: member } = await addScratchMember(prisma, admin.teamId, { role: "member" }));
    ({ ctx: viewer } = await addScratchMember(prisma, admin.teamId, { role: "viewer" }));
    ({ ctx: outsider } = await createScratchTeam(prisma, { role: "owner" }));
    keyDir = mkdtempSync(path.join(tmpdir(), "bailey-team-secrets-"));
    key = createSecretsKeyFile(path.join(keyDir, "key-a"));
    otherKey = createSecretsKeyFile(path.join(keyDir, "key-b"));
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("accepts env-var-like, file-name-safe names and refuses others with the rule", () => {
    for (const name of ["GITHUB_TOKEN", "_x", "deploy-key", "a", `A${"b".repeat(63)}`]) assert.equal(parseSecretName(name), name);
    assert.equal(parseSecretName("  NPM_TOKEN "), "NPM_TOKEN");
    for (const name of ["1abc", "-x", "a.b", "a/b", "../etc", "has space", "é", `A${"b".repeat(64)}`]) {
      assert.throws(() => parseSecretName(name), /is not a secret name; use 1 to 64 characters: a letter or _ first/, name);
    }
    assert.throws(() => parseSecretName(" "), /Name the secret/);
  });

  it("creates for admins only, sealed under the key, listed without its value to every member", async () => {
    await assert.rejects(createTeamSecret({ prisma, ctx: member, name: "API_TOKEN", value, key }), /needs the admin role or higher; you are a member/);
    await assert.rejects(createTeamSecret({ prisma, ctx: viewer, name: "API_TOKEN", value, key }), /needs the admin role/);
    const secret = await createTeamSecret({ prisma, ctx: admin, name: "API_TOKEN", value, description: " for the deploy step ", key });
    assert.deepEqual(Object.keys(secret).sort(), ["createdAt", "createdById", "description", "id", "name", "updatedAt"]);
    assert.equal(secret.description, "for the deploy step");
    const row = await prisma.secret.findUniqueOrThrow({ where: { id: secret.id } });
    assert.equal(row.keyId, key.keyId);
    assert.ok(!Buffer.from(row.ciphertext).includes(Buffer.from(value)), "the column holds ciphertext");
    assert.equal(openSecret(key, row), value);

    for (const ctx of [member, viewer]) {
      const listed = await listTeamSecrets({ prisma, ctx });
      assert.deepEqual(Object.keys(listed[0]!).sort(), ["createdAt", "createdBy", "description", "id", "name", "updatedAt"]);
      assert.equal(listed[0]!.createdBy?.email, "ada@secrets.test");
      assert.ok(!JSON.stringify(listed).includes(value));
    }
    assert.deepEqual(await listTeamSecrets({ prisma, ctx: outsider }), [], "another team sees none of them");
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "secret.created" } });
    assert.deepEqual(event.data, { name: "API_TOKEN", description: "for the deploy step" });
  });

  it("refuses a duplicate name with a conflict naming it, bad values, and an oversized value", async () => {
    await assert.rejects(createTeamSecret({ prisma, ctx: admin, name: "API_TOKEN", value: "other", key }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CONFLICT");
      assert.match(error.message, /already has a secret named "API_TOKEN": update that one, or pick another name/);
      return true;
    });
    assert.ok((await createTeamSecret({ prisma, ctx: outsider, name: "API_TOKEN", value: "theirs", key })).id, "another team may use the same name");
    await assert.rejects(createTeamSecret({ prisma, ctx: admin, name: "EMPTY", value: "", key }), /Give the secret's value \(1 byte to 64 KiB; this one is 0 bytes\)/);
    await assert.rejects(createTeamSecret({ prisma, ctx: admin, name: "BIG", value: "x".repeat(64 * 1024 + 1), key }), /64 KiB; this one is 65537 bytes/);
    assert.ok(await createTeamSecret({ prisma, ctx: admin, name: "EXACTLY_64K", value: "x".repeat(64 * 1024), key }));
    await assert.rejects(createTeamSecret({ prisma, ctx: admin, name: "bad name", value: "x", key }), /is not a secret name/);
    await assert.rejects(createTeamSecret({ prisma, ctx: admin, name: "LONG_DESC", value: "x", description: "d".repeat(501), key }), /Shorten the description to 500 characters/);
  });

  it("updates value and/or description (admins only), deletes, all audited without the value; the value is nowhere in clear", async () => {
    const [secret] = (await listTeamSecrets({ prisma, ctx: admin })).filter((each) => each.name === "API_TOKEN");
    assert.ok(secret);
    await assert.rejects(updateTeamSecret({ prisma, ctx: member, secretId: secret.id, value: replacement, key }), /admin role/);
    await assert.rejects(updateTeamSecret({ prisma, ctx: outsider, secretId: secret.id, value: replacement, key }), /Secret not found/);
    await assert.rejects(updateTeamSecret({ prisma, ctx: admin, secretId: secret.id, key }), /Give a new value, a new description, or both/);

    const described = await updateTeamSecret({ prisma, ctx: admin, secretId: secret.id, description: "rotated monthly" });
    assert.equal(described.description, "rotated monthly");
    assert.equal(openSecret(key, await prisma.secret.findUniqueOrThrow({ where: { id: secret.id } })), value, "a description change keeps the value");
    const updated = await updateTeamSecret({ prisma, ctx: admin, secretId: secret.id, value: replacement, key });
    assert.equal(updated.description, "rotated monthly", "a value change keeps the description");
    assert.equal(openSecret(key, await prisma.secret.findUniqueOrThrow({ where: { id: secret.id } })), replacement);
    await updateTeamSecret({ prisma, ctx: admin, secretId: secret.id, description: "" });
    assert.equal((await prisma.secret.findUniqueOrThrow({ where: { id: secret.id } })).description, null, "an empty description clears it");

    await createTeamSecret({ prisma, ctx: admin, name: "doomed", value, key });
    const doomed = (await listTeamSecrets({ prisma, ctx: admin })).find((each) => each.name === "doomed")!;
    await assert.rejects(deleteTeamSecret({ prisma, ctx: member, secretId: doomed.id }), /admin role/);
    await assert.rejects(deleteTeamSecret({ prisma, ctx: outsider, secretId: doomed.id }), /Secret not found/);
    assert.equal((await deleteTeamSecret({ prisma, ctx: admin, secretId: doomed.id })).name, "doomed");
    assert.equal(await prisma.secret.count({ where: { id: doomed.id } }), 0);

    const dump = await dumpAllRows(prisma);
    assert.ok(dump.includes("API_TOKEN") && dump.includes("secret.updated") && dump.includes("secret.deleted"), "the dump holds the secret rows and their audit");
    for (const secretValue of [value, replacement]) {
      assert.ok(!dump.includes(secretValue), "no value in clear");
      assert.ok(!dump.includes(Buffer.from(secretValue).toString("hex")), "nor as hex bytes");
      assert.ok(!dump.includes(Buffer.from(secretValue).toString("base64")), "nor as base64");
    }
    const exported: string[] = [];
    for await (const line of exportAuditEvents({ prisma, ctx: admin })) exported.push(line);
    assert.ok(exported.join("").includes("secret.created"));
    assert.ok(!exported.join("").includes(value) && !exported.join("").includes(replacement), "no value in the audit export");
    const actions = (await prisma.auditEvent.findMany({ where: { teamId: admin.teamId, action: { startsWith: "secret." } }, orderBy: { seq: "asc" } })).map((event) => event.action);
    assert.deepEqual(actions, ["secret.created", "secret.created", "secret.updated", "secret.updated", "secret.updated", "secret.created", "secret.deleted"]);
    const updates = await prisma.auditEvent.findMany({ where: { teamId: admin.teamId, action: "secret.updated" }, orderBy: { seq: "asc" } });
    assert.deepEqual(
      updates.map((event) => event.data),
      [
        { name: "API_TOKEN", valueChanged: false, description: "rotated monthly" },
        { name: "API_TOKEN", valueChanged: true },
        { name: "API_TOKEN", valueChanged: false, description: null },
      ],
    );
    assert.equal((await verifyAuditChain({ prisma, teamId: admin.teamId })).valid, true);
  });

  it("rotation re-encrypts team secrets with the new key, and the old key's ciphertexts stop opening", async () => {
    const { ctx: team } = await createScratchTeam(prisma, { role: "admin" });
    const created = await createTeamSecret({ prisma, ctx: team, name: "ROTATE_ME", value: "rotate-me-value", key });
    const before = await prisma.secret.findUniqueOrThrow({ where: { id: created.id } });
    const report = await rotateSecrets({ prisma, key: otherKey, previousKeys: [key] });
    assert.ok(report.resealed >= 1, `resealed ${report.resealed}`);
    assert.deepEqual(report.unknownKeyIds, []);
    const after = await prisma.secret.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(after.keyId, otherKey.keyId);
    assert.equal(openSecret(otherKey, after), "rotate-me-value");
    assert.throws(() => openSecret(key, after), /sealed by secrets key/, "the old key no longer opens the stored row");
    assert.throws(() => openSecret(otherKey, before), /sealed by secrets key/, "the old ciphertext does not open under the new key");
    assert.throws(() => openSecret(otherKey, { ...before, keyId: otherKey.keyId }), /failed its integrity check/, "not even relabelled as the new key's");
    assert.equal(await prisma.secret.count({ where: { keyId: key.keyId } }), 0, "nothing is left under the old key");
  });
});
