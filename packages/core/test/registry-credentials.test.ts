import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import {
  createSecretsKeyFile,
  currentSecretsKey,
  exportAuditEvents,
  listRegistryCredentials,
  loadSecretsKeyFile,
  openValue,
  parseRegistryName,
  registryAuthFor,
  removeRegistryCredential,
  rotateSecrets,
  saveRegistryCredential,
  sealValue,
  type SecretsKey,
  type TeamContext,
  verifyAuditChain,
} from "../src";

/** Every row of every table as text, the way pg_dump's data section reads them (COPY of each table). */
async function dumpAllRows(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  assert.ok(tables.length > 10, `found ${tables.length} tables`);
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    parts.push(`-- ${name}`, ...rows.map((row) => row.row));
  }
  return parts.join("\n");
}

describe("registry credentials in the secret store", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let admin: TeamContext;
  let member: TeamContext;
  let outsider: TeamContext;
  let keyDir: string;
  let key: SecretsKey;
  let otherKey: SecretsKey;
  const password = `pw-${randomBytes(12).toString("hex")}`;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    ({ ctx: admin } = await createScratchTeam(prisma, { role: "admin", email: "ada@creds.test" }));
    ({ ctx: member } = await addScratchMember(prisma, admin.teamId, { role: "member" }));
    ({ ctx: outsider } = await createScratchTeam(prisma, { role: "owner" }));
    keyDir = mkdtempSync(path.join(tmpdir(), "bailey-secrets-"));
    key = createSecretsKeyFile(path.join(keyDir, "key-a"));
    otherKey = createSecretsKeyFile(path.join(keyDir, "key-b"));
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("seals with AES-256-GCM under a key file outside Postgres, opens only with the same key and context", () => {
    assert.equal(statSync(key.file).mode & 0o777, 0o600, "the generated key file is owner-only");
    assert.match(readFileSync(key.file, "utf8"), /^[0-9a-f]{64}\n$/);
    assert.match(key.keyId, /^[0-9a-f]{16}$/);
    assert.notEqual(key.keyId, otherKey.keyId);
    const sealed = sealValue(key, "hunter2", ["test", "row-1"]);
    assert.equal(sealed.keyId, key.keyId);
    assert.equal(sealed.iv.length, 12);
    assert.equal(sealed.authTag.length, 16);
    assert.ok(!Buffer.from(sealed.ciphertext).toString("utf8").includes("hunter2"));
    assert.notDeepEqual(sealValue(key, "hunter2", ["test", "row-1"]).ciphertext, sealed.ciphertext, "a fresh nonce per value");
    assert.equal(openValue(key, sealed, ["test", "row-1"]), "hunter2");
    assert.throws(() => openValue(otherKey, sealed, ["test", "row-1"]), new RegExp(`sealed by secrets key ${key.keyId}.*set BAILEY_SECRETS_KEY_FILE to the key that sealed it`));
    assert.throws(() => openValue(key, sealed, ["test", "row-2"]), /failed its integrity check: it was altered or copied from another row/);
    const flipped = { ...sealed, ciphertext: Uint8Array.from(sealed.ciphertext, (byte, index) => (index === 0 ? byte ^ 1 : byte)) };
    assert.throws(() => openValue(key, flipped, ["test", "row-1"]), /failed its integrity check/);
  });

  it("refuses a key file that is missing, unreadable or the wrong length, saying how to make one", () => {
    const missing = path.join(keyDir, "missing");
    assert.throws(
      () => loadSecretsKeyFile(missing),
      (error: Error) => /Cannot read the secrets key .*missing: it does not exist\. Set BAILEY_SECRETS_KEY_FILE/.test(error.message) && /openssl rand -hex 32/.test(error.message),
    );
    const short = path.join(keyDir, "short");
    writeFileSync(short, "abcd\n");
    assert.throws(() => loadSecretsKeyFile(short), /is not 32 bytes written as 64 hex characters \(it holds 4 characters\)\. Make one with: openssl rand -hex 32/);
    writeFileSync(short, "0".repeat(63));
    assert.throws(() => loadSecretsKeyFile(short), /not 32 bytes/);
    const base64 = path.join(keyDir, "base64");
    writeFileSync(base64, randomBytes(32).toString("base64"));
    assert.equal(loadSecretsKeyFile(base64).key.length, 32, "base64 of 32 bytes is accepted too");
    const unreadable = path.join(keyDir, "a-directory");
    createSecretsKeyFile(path.join(unreadable, "inner"));
    assert.throws(() => loadSecretsKeyFile(unreadable), /Cannot read the secrets key .*a-directory: EISDIR/);
  });

  it("finds the key from BAILEY_SECRETS_KEY_FILE, else makes $BAILEY_DATA_DIR/secrets-key on first seal (never over a configured file)", () => {
    const saved = { file: process.env.BAILEY_SECRETS_KEY_FILE, dir: process.env.BAILEY_DATA_DIR };
    try {
      const dataDir = path.join(keyDir, "data");
      delete process.env.BAILEY_SECRETS_KEY_FILE;
      process.env.BAILEY_DATA_DIR = dataDir;
      assert.throws(() => currentSecretsKey(), /Cannot read the secrets key .*data\/secrets-key: it does not exist/, "opening never makes a key");
      const made = currentSecretsKey({ forSealing: true });
      assert.equal(made.file, path.join(dataDir, "secrets-key"));
      assert.equal(statSync(made.file).mode & 0o777, 0o600);
      assert.equal(currentSecretsKey({ forSealing: true }).keyId, made.keyId, "made once, then kept");
      process.env.BAILEY_SECRETS_KEY_FILE = path.join(keyDir, "configured-but-absent");
      assert.throws(() => currentSecretsKey({ forSealing: true }), /configured-but-absent: it does not exist/);
      assert.ok(!existsSync(path.join(keyDir, "configured-but-absent")));
      process.env.BAILEY_SECRETS_KEY_FILE = key.file;
      assert.equal(currentSecretsKey().keyId, key.keyId);
    } finally {
      for (const [name, value] of [
        ["BAILEY_SECRETS_KEY_FILE", saved.file],
        ["BAILEY_DATA_DIR", saved.dir],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("normalizes registries and refuses junk with what to write instead", () => {
    assert.equal(parseRegistryName("ghcr.io"), "ghcr.io");
    assert.equal(parseRegistryName(" https://GHCR.io/ "), "ghcr.io");
    assert.equal(parseRegistryName("127.0.0.1:5051"), "127.0.0.1:5051");
    assert.equal(parseRegistryName("http://localhost:5000"), "localhost:5000");
    assert.equal(parseRegistryName("index.docker.io"), "docker.io");
    assert.throws(() => parseRegistryName("ghcr.io/my-org"), /has a path; credentials are per registry.*e\.g\. ghcr\.io/);
    assert.throws(() => parseRegistryName("not a host!"), /is not a registry host\. Write the registry's host/);
    assert.throws(() => parseRegistryName("ghcr.io:99999"), /is not a registry host/);
    assert.throws(() => parseRegistryName("myregistry"), /cannot be told apart from a Docker Hub namespace/);
    assert.throws(() => parseRegistryName("  "), /Name the registry/);
  });

  it("saves for admins only, lists without the secret, and audits registry and username only", async () => {
    await assert.rejects(saveRegistryCredential({ prisma, ctx: member, registry: "127.0.0.1:5051", username: "bailey-test", password, key }), /needs the admin role or higher; you are a member/);
    const { credential, replaced } = await saveRegistryCredential({ prisma, ctx: admin, registry: "HTTP://127.0.0.1:5051/", username: "bailey-test", password, key });
    assert.equal(replaced, false);
    assert.equal(credential.registry, "127.0.0.1:5051");
    assert.ok(!JSON.stringify(credential).includes(password));
    const row = await prisma.registryCredential.findUniqueOrThrow({ where: { id: credential.id } });
    assert.equal(row.keyId, key.keyId);
    assert.ok(!Buffer.from(row.ciphertext).includes(Buffer.from(password)), "the column holds ciphertext");

    const listed = await listRegistryCredentials({ prisma, ctx: member });
    assert.deepEqual(Object.keys(listed[0]!).sort(), ["createdAt", "createdBy", "id", "lastUsedAt", "registry", "updatedAt", "username"]);
    assert.equal(listed[0]!.createdBy?.email, "ada@creds.test");
    assert.ok(!JSON.stringify(listed).includes(password));
    assert.deepEqual(await listRegistryCredentials({ prisma, ctx: outsider }), [], "another team sees none of them");

    const event = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "registry.credential_added" } });
    assert.deepEqual(event.data, { registry: "127.0.0.1:5051", username: "bailey-test" });
  });

  it("registryAuthFor opens the credential of the image's registry, records its use, and leaves other registries anonymous", async () => {
    const before = await prisma.registryCredential.findFirstOrThrow({ where: { teamId: admin.teamId, registry: "127.0.0.1:5051" } });
    assert.equal(before.lastUsedAt, null);
    assert.deepEqual(await registryAuthFor(prisma, admin.teamId, "127.0.0.1:5051/bailey/private:1", key), { registry: "127.0.0.1:5051", username: "bailey-test", password });
    const after = await prisma.registryCredential.findUniqueOrThrow({ where: { id: before.id } });
    assert.ok(after.lastUsedAt, "last use is recorded");
    assert.equal(after.updatedAt.getTime(), before.updatedAt.getTime(), "using a credential is not changing it");
    assert.equal(await registryAuthFor(prisma, admin.teamId, "127.0.0.1:5050/bailey/open:1", key), undefined);
    assert.equal(await registryAuthFor(prisma, admin.teamId, "busybox:latest", key), undefined);
    assert.equal(await registryAuthFor(prisma, outsider.teamId, "127.0.0.1:5051/bailey/private:1", key), undefined, "team B never gets team A's credential");
    await assert.rejects(registryAuthFor(prisma, admin.teamId, "127.0.0.1:5051/bailey/private:1", otherKey), /set BAILEY_SECRETS_KEY_FILE to the key that sealed it/);
  });

  it("refuses a ciphertext copied into another team's row (the AAD binds it to team and registry)", async () => {
    const { credential } = await saveRegistryCredential({ prisma, ctx: { ...outsider }, registry: "127.0.0.1:5051", username: "their-user", password: "their-password", key });
    const stolen = await prisma.registryCredential.findFirstOrThrow({ where: { teamId: admin.teamId, registry: "127.0.0.1:5051" } });
    await prisma.registryCredential.update({ where: { id: credential.id }, data: { ciphertext: stolen.ciphertext, iv: stolen.iv, authTag: stolen.authTag } });
    await assert.rejects(registryAuthFor(prisma, outsider.teamId, "127.0.0.1:5051/x/y:1", key), /failed its integrity check: it was altered or copied from another row/);
    await prisma.registryCredential.delete({ where: { id: credential.id } });
  });

  it("replaces and removes, audited, and the password is nowhere in the database's rows or the audit export", async () => {
    const replacement = `pw2-${randomBytes(12).toString("hex")}`;
    const { credential, replaced } = await saveRegistryCredential({ prisma, ctx: admin, registry: "127.0.0.1:5051", username: "bailey-test", password: replacement, key });
    assert.equal(replaced, true);
    assert.equal(credential.lastUsedAt, null, "a new secret has not been used yet");
    assert.equal((await registryAuthFor(prisma, admin.teamId, "127.0.0.1:5051/a/b:1", key))?.password, replacement);
    await saveRegistryCredential({ prisma, ctx: admin, registry: "ghcr.io", username: "octocat", password, key });

    const dump = await dumpAllRows(prisma);
    assert.ok(dump.includes("127.0.0.1:5051") && dump.includes("registry.credential_replaced"), "the dump holds the credential rows and their audit");
    for (const secret of [password, replacement]) {
      assert.ok(!dump.includes(secret), "no password in clear");
      assert.ok(!dump.includes(Buffer.from(secret).toString("hex")), "nor as hex bytes");
      assert.ok(!dump.includes(Buffer.from(secret).toString("base64")), "nor as base64");
    }
    const exported: string[] = [];
    for await (const line of exportAuditEvents({ prisma, ctx: admin })) exported.push(line);
    assert.ok(exported.join("").includes("registry.credential_added"));
    assert.ok(!exported.join("").includes(password) && !exported.join("").includes(replacement), "no password in the audit export");

    await assert.rejects(removeRegistryCredential({ prisma, ctx: member, credentialId: credential.id }), /admin role/);
    await assert.rejects(removeRegistryCredential({ prisma, ctx: outsider, credentialId: credential.id }), /Registry credential not found/);
    await removeRegistryCredential({ prisma, ctx: admin, credentialId: credential.id });
    assert.equal(await registryAuthFor(prisma, admin.teamId, "127.0.0.1:5051/a/b:1", key), undefined, "anonymous again");
    const actions = (await prisma.auditEvent.findMany({ where: { teamId: admin.teamId, action: { startsWith: "registry." } }, orderBy: { seq: "asc" } })).map((event) => event.action);
    assert.deepEqual(actions, ["registry.credential_added", "registry.credential_replaced", "registry.credential_added", "registry.credential_removed"]);
    assert.equal((await verifyAuditChain({ prisma, teamId: admin.teamId })).valid, true);
  });

  it("rotation re-encrypts what a previous key sealed with the current one, and names rows of keys it was not given", async () => {
    const { ctx: team } = await createScratchTeam(prisma, { role: "admin" });
    await saveRegistryCredential({ prisma, ctx: team, registry: "old.example.test", username: "u", password: "rotate-me", key });
    const third = createSecretsKeyFile(path.join(keyDir, "key-c"));
    await saveRegistryCredential({ prisma, ctx: team, registry: "third.example.test", username: "u", password: "sealed-by-c", key: third });
    const report = await rotateSecrets({ prisma, key: otherKey, previousKeys: [key] });
    assert.ok(report.resealed >= 1, `resealed ${report.resealed}`);
    assert.deepEqual(report.unknownKeyIds, [{ store: "registry credentials", keyId: third.keyId, rows: 1 }]);
    assert.equal((await registryAuthFor(prisma, team.teamId, "old.example.test/a:1", otherKey))?.password, "rotate-me");
    await assert.rejects(registryAuthFor(prisma, team.teamId, "old.example.test/a:1", key), /sealed by secrets key/);
    assert.equal(await prisma.registryCredential.count({ where: { keyId: key.keyId } }), 0, "nothing is left under the old key");
    assert.equal((await rotateSecrets({ prisma, key: otherKey, previousKeys: [key, third] })).resealed, 1, "then the third key's row");
  });
});
