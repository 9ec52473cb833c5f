import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

/** The AES-256 key that seals every stored secret; it lives in a file, never in Postgres. */
export interface SecretsKey {
  key: Buffer;
  /** First 16 hex of SHA-256 of the key: stored beside each sealed value so rotation finds what to re-encrypt. */
  keyId: string;
  file: string;
}

const makeOne = (file: string) => `Make one with: openssl rand -hex 32 > ${file} && chmod 600 ${file}`;

export function secretsKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** The key file holds the 32 bytes as 64 hex characters (what `openssl rand -hex 32` prints) or base64. */
export function parseSecretsKey(text: string, file: string): SecretsKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : /^[A-Za-z0-9+/]{43}=$/.test(trimmed) ? Buffer.from(trimmed, "base64") : null;
  if (key?.length !== 32) {
    throw new AppError("UNAVAILABLE", `The secrets key ${file} is not 32 bytes written as 64 hex characters (it holds ${trimmed.length} characters). ${makeOne(file)}`);
  }
  return { key, keyId: secretsKeyId(key), file };
}

export function loadSecretsKeyFile(file: string): SecretsKey {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message;
    throw new AppError(
      "UNAVAILABLE",
      `Cannot read the secrets key ${file}: ${reason}. Set BAILEY_SECRETS_KEY_FILE to the key this server's secrets were sealed with (a new key cannot open them); for a new installation: ${makeOne(file)}`,
    );
  }
  return parseSecretsKey(text, file);
}

/** A new key, owner-only; never overwrites an existing file (two starting processes make one key, not two). */
export function createSecretsKeyFile(file: string): SecretsKey {
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new AppError("UNAVAILABLE", `Cannot create the secrets key ${file}: ${(error as Error).message}`);
  }
  return loadSecretsKeyFile(file);
}
