import path from "node:path";

/**
 * Where the secrets key is read from: BAILEY_SECRETS_KEY_FILE, else `secrets-key` in the data
 * directory, resolved exactly as the launcher resolves BAILEY_DATA_DIR (so `npm start`'s
 * in-process scheduler and its dashboard server find the same file).
 */
export function secretsKeyLocation(): { file: string; configured: boolean } {
  const configured = process.env.BAILEY_SECRETS_KEY_FILE;
  if (configured) return { file: path.resolve(configured), configured: true };
  return { file: path.resolve(process.env.BAILEY_DATA_DIR || ".bailey", "secrets-key"), configured: false };
}
