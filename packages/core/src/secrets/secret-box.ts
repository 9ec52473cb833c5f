import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors";
import type { SecretsKey } from "./secrets-key";

/** A value as stored: the columns every sealed row has (ciphertext, iv, authTag, keyId). */
export interface SealedValue {
  ciphertext: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  authTag: Uint8Array<ArrayBuffer>;
  keyId: string;
}

/**
 * What a sealed value belongs to, e.g. ["registry-credential", teamId, registry]. It is the
 * GCM additional data: a ciphertext copied into another row (another team's, another
 * registry's) fails to open instead of handing its secret to the wrong place.
 */
export type SealContext = readonly string[];

const additionalData = (context: SealContext) => Buffer.from(JSON.stringify(context), "utf8");
const bytes = (buffer: Buffer) => new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);

/** AES-256-GCM with a fresh 96-bit nonce per value. */
export function sealValue(key: SecretsKey, plaintext: string, context: SealContext): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext: bytes(ciphertext), iv: bytes(iv), authTag: bytes(cipher.getAuthTag()), keyId: key.keyId };
}

/** Opens what {@link sealValue} sealed with the same key and context; anything else is refused, never guessed at. */
export function openValue(key: SecretsKey, sealed: SealedValue, context: SealContext): string {
  if (sealed.keyId !== key.keyId) {
    throw new AppError(
      "UNAVAILABLE",
      `This secret was sealed by secrets key ${sealed.keyId}, but this server's key (${key.file}) is ${key.keyId}: set BAILEY_SECRETS_KEY_FILE to the key that sealed it (or save the secret again).`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(sealed.iv));
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(Buffer.from(sealed.authTag));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext)), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError("UNAVAILABLE", `A stored secret (${context[0] ?? "secret"}) failed its integrity check: it was altered or copied from another row. Save it again.`);
  }
}
