import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadSecretsKeyFile } from "@bailey/core";
import { loadOrCreateSecretsKey } from "../launcher/secrets-key";

describe("the launcher's secrets key", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-secrets-key-"));
    dirs.push(dir);
    return path.join(dir, "data");
  };

  it("is made once in the data directory, owner-only, said in the log, and kept across restarts", async () => {
    const dataDir = await freshDir();
    const lines: string[] = [];
    const file = loadOrCreateSecretsKey(dataDir, undefined, (line) => lines.push(line));
    assert.equal(file, path.join(dataDir, "secrets-key"));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.match(lines.join("\n"), new RegExp(`made the secrets key .*key id ${loadSecretsKeyFile(file).keyId}.*back it up`));
    const before = await readFile(file, "utf8");
    assert.equal(
      loadOrCreateSecretsKey(dataDir, undefined, () => assert.fail("nothing new to say")),
      file,
    );
    assert.equal(await readFile(file, "utf8"), before, "a restart keeps the key every credential was sealed with");
  });

  it("refuses to start with a configured file that is missing or the wrong length, and never makes one in its place", async () => {
    const dataDir = await freshDir();
    const missing = path.join(dataDir, "missing");
    assert.throws(() => loadOrCreateSecretsKey(dataDir, missing, () => {}), /Bailey cannot start: Cannot read the secrets key .*missing: it does not exist\. Set BAILEY_SECRETS_KEY_FILE/);
    await assert.rejects(stat(missing), /ENOENT/);
    const short = path.join(path.dirname(dataDir), "short-key");
    await writeFile(short, "0123");
    assert.throws(() => loadOrCreateSecretsKey(dataDir, short, () => {}), /is not 32 bytes written as 64 hex characters.*openssl rand -hex 32/);
  });
});
