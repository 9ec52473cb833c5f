import bcrypt from "bcryptjs";

export const defaultPasswordCost = 12;

export function hashPassword(password: string, cost = defaultPasswordCost): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
