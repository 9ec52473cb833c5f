import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateAuditSigningKeyPem, loadAuditSigningKeyFile } from "@bailey/core";
import { ConfigurationError } from "./env";

/**
 * The key that signs audit checkpoints: BAILEY_AUDIT_SIGNING_KEY_FILE when given, else made
 * once in the data directory (owner-only) and kept, because every checkpoint already signed
 * is checked against it. Its public half is written beside it for the operator to keep elsewhere.
 */
export async function loadOrCreateAuditSigningKey(dataDir: string, configuredFile: string | undefined, log: (line: string) => void): Promise<string> {
  const file = configuredFile ? path.resolve(configuredFile) : path.join(dataDir, "audit-signing-key");
  if (configuredFile || existsSync(file)) {
    try {
      loadAuditSigningKeyFile(file);
    } catch (error) {
      throw new ConfigurationError(`Bailey cannot start: ${(error as Error).message}${configuredFile ? " (set by BAILEY_AUDIT_SIGNING_KEY_FILE)" : ""}`);
    }
    return file;
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, generateAuditSigningKeyPem(), { mode: 0o600 });
  const key = loadAuditSigningKeyFile(file);
  await writeFile(`${file}.pub`, key.publicKeyPem, { mode: 0o644 });
  log(`made the audit signing key ${file} (key id ${key.keyId.slice(0, 16)}); keep a copy of ${file}.pub outside this machine to verify exports with`);
  return file;
}
