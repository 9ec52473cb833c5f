import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { AppError } from "../errors";

/** The public half: all that verifying checkpoints needs, and what an operator keeps elsewhere. */
export interface AuditPublicKey {
  publicKey: KeyObject;
  /** SHA-256 of the raw 32-byte ed25519 public key, hex: names the key in every checkpoint. */
  keyId: string;
  /** SPKI PEM, to hand to the offline verifier. */
  publicKeyPem: string;
}

/** The key that signs checkpoints; it lives outside Postgres so a database-level attacker cannot sign. */
export interface AuditSigningKey extends AuditPublicKey {
  privateKey: KeyObject;
}

/** A fresh ed25519 key as PKCS8 PEM. */
export function generateAuditSigningKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

export function auditKeyId(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
  return createHash("sha256").update(raw).digest("hex");
}

function describePublic(publicKey: KeyObject): AuditPublicKey {
  return { publicKey, keyId: auditKeyId(publicKey), publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString() };
}

/** Parses an ed25519 private key (PKCS8 PEM); `source` names where it came from in the error. */
export function parseAuditSigningKey(pem: string, source: string): AuditSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new AppError("BAD_REQUEST", `${source} is not a PEM private key. Make one with: openssl genpkey -algorithm ed25519 -out audit-signing-key`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new AppError("BAD_REQUEST", `${source} is a ${privateKey.asymmetricKeyType} key; audit checkpoints need ed25519. Make one with: openssl genpkey -algorithm ed25519 -out audit-signing-key`);
  }
  return { privateKey, ...describePublic(createPublicKey(privateKey)) };
}

/** Parses an ed25519 public key (SPKI PEM); a private key is accepted too and only its public half used. */
export function parseAuditPublicKey(pem: string, source: string): AuditPublicKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new AppError("BAD_REQUEST", `${source} is not a PEM public key. Use the audit-signing-key.pub file, or the key shown on the audit page (GET /api/v1/audit/public-key).`);
  }
  if (publicKey.asymmetricKeyType !== "ed25519") throw new AppError("BAD_REQUEST", `${source} is a ${publicKey.asymmetricKeyType} key; Bailey signs audit checkpoints with ed25519.`);
  return describePublic(publicKey);
}

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new AppError("BAD_REQUEST", `Cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

export const loadAuditSigningKeyFile = (file: string): AuditSigningKey => parseAuditSigningKey(readKeyFile(file, "audit signing key"), `The audit signing key ${file}`);
export const loadAuditPublicKeyFile = (file: string): AuditPublicKey => parseAuditPublicKey(readKeyFile(file, "audit public key"), `The audit public key ${file}`);
