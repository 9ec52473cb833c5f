import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { AppError } from "../errors";

/** log2 of scrypt's N: 2^15 with r=8 takes 32 MiB and tens of milliseconds, on libuv's thread pool rather than the event loop. */
export const defaultPasswordCost = 15;
export const minimumPasswordLength = 8;
// Kept from the bcrypt days: a bound on what one sign-in attempt may make the server hash.
export const maximumPasswordBytes = 72;

const blockSize = 8;
const parallelization = 1;
const keyLength = 32;
const scryptFormat = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Throws BAD_REQUEST naming the rule a new password breaks. */
export function assertAcceptablePassword(password: string): void {
  if (password.length < minimumPasswordLength) {
    throw new AppError("BAD_REQUEST", `The password must be at least ${minimumPasswordLength} characters long.`);
  }
  if (Buffer.byteLength(password, "utf8") > maximumPasswordBytes) {
    throw new AppError("BAD_REQUEST", `The password must be at most ${maximumPasswordBytes} bytes long (a bound on the work one sign-in attempt costs the server).`);
  }
}

function deriveKey(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; the default maxmem (32 MiB) is exactly N=2^15, r=8, leaving no headroom.
  const maxmem = 2 * 128 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A self-describing `$scrypt$N=…,r=…,p=…$salt$key` hash. `cost` is log2 of N; tests pass a low one to stay fast. */
export async function hashPassword(password: string, cost = defaultPasswordCost): Promise<string> {
  if (!Number.isInteger(cost) || cost < 1 || cost > 20) throw new Error(`scrypt cost must be an integer log2(N) from 1 to 20, got ${cost}`);
  const N = 2 ** cost;
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, N, blockSize, parallelization);
  return `$scrypt$N=${N},r=${blockSize},p=${parallelization}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/**
 * Checks scrypt hashes, and bcrypt hashes made before Bailey switched (bcryptjs's async compare
 * yields between rounds but still runs on the event loop; the sign-in throttle bounds how often,
 * and a successful sign-in replaces the hash, see passwordNeedsRehash).
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const scryptHash = scryptFormat.exec(hash);
  if (scryptHash) {
    const [, N, r, p, salt, expected] = scryptHash;
    const expectedKey = Buffer.from(expected!, "base64");
    const key = await deriveKey(password, Buffer.from(salt!, "base64"), Number(N), Number(r), Number(p));
    return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
  }
  if (/^\$2[aby]\$\d{2}\$/.test(hash)) return bcrypt.compare(password, hash);
  return false;
}

/** True for a hash that is not scrypt at today's cost: the next successful sign-in should store a new one. */
export function passwordNeedsRehash(hash: string, cost = defaultPasswordCost): boolean {
  const scryptHash = scryptFormat.exec(hash);
  return !scryptHash || Number(scryptHash[1]) !== 2 ** cost || Number(scryptHash[2]) !== blockSize || Number(scryptHash[3]) !== parallelization;
}
