import bcrypt from "bcryptjs";
import { AppError } from "../errors";

export const defaultPasswordCost = 12;
export const minimumPasswordLength = 8;
// bcrypt ignores everything after the 72nd byte, so a longer password would be
// accepted with its tail silently unchecked.
export const maximumPasswordBytes = 72;

/** Throws BAD_REQUEST naming the rule a new password breaks. */
export function assertAcceptablePassword(password: string): void {
  if (password.length < minimumPasswordLength) {
    throw new AppError("BAD_REQUEST", `The password must be at least ${minimumPasswordLength} characters long.`);
  }
  if (Buffer.byteLength(password, "utf8") > maximumPasswordBytes) {
    throw new AppError("BAD_REQUEST", `The password must be at most ${maximumPasswordBytes} bytes long (bcrypt ignores the rest).`);
  }
}

/** `cost` is bcrypt's log2 work factor; tests pass a low one to stay fast. */
export function hashPassword(password: string, cost = defaultPasswordCost): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
