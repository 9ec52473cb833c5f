import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadAuditPublicKeyFile, loadAuditSigningKeyFile } from "@bailey/core";
import { loadOrCreateAuditSigningKey } from "../launcher/audit-signing-key";

describe("the launcher's audit signing key", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-audit-key-"));
    dirs.push(dir);
    return path.join(dir, "data");
  };
  const quiet = () => {};

  it("is made once in the data directory, owner-only, with its public half beside it, and kept", async () => {
    const dataDir = await freshDir();
    const file = await loadOrCreateAuditSigningKey(dataDir, undefined, quiet);
    assert.equal(file, path.join(dataDir, "audit-signing-key"));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const key = loadAuditSigningKeyFile(file);
    assert.equal(loadAuditPublicKeyFile(`${file}.pub`).keyId, key.keyId);
    const before = await readFile(file, "utf8");
    assert.equal(await loadOrCreateAuditSigningKey(dataDir, undefined, quiet), file);
    assert.equal(await readFile(file, "utf8"), before, "a restart keeps the key every checkpoint was signed with");
  });

  it("refuses to start with a configured file that is not an ed25519 private key, naming the variable", async () => {
    const dataDir = await freshDir();
    const bad = path.join(path.dirname(dataDir), "not-a-key");
    await writeFile(bad, "hello");
    await assert.rejects(loadOrCreateAuditSigningKey(dataDir, bad, quiet), /is not a PEM private key.*BAILEY_AUDIT_SIGNING_KEY_FILE/s);
    await assert.rejects(loadOrCreateAuditSigningKey(dataDir, path.join(dataDir, "missing"), quiet), /Cannot read the audit signing key/);
  });
});
