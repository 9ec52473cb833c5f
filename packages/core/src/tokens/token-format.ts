import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API tokens look like `bly_<prefix>_<secret>`: the prefix finds the row without a
 * scan, only the SHA-256 of the whole token is stored, and the token is shown once.
 */
const tokenPattern = /^bly_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface MintedToken {
  token: string;
  prefix: string;
  secretHash: string;
}

export function mintToken(): MintedToken {
  const prefix = randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  const secret = randomBytes(32).toString("base64url");
  const token = `bly_${prefix}_${secret}`;
  return { token, prefix, secretHash: hashToken(token) };
}

export function parseToken(token: string): { prefix: string } | null {
  const match = tokenPattern.exec(token);
  return match?.[1] ? { prefix: match[1] } : null;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function tokenMatches(token: string, secretHash: string): boolean {
  const actual = Buffer.from(hashToken(token), "hex");
  const expected = Buffer.from(secretHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
