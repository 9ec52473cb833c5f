import path from "node:path";
import { parseArgs } from "node:util";
import { loadSecretsKeyFile, rotateSecrets } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { ConfigurationError, type LauncherEnv } from "./env";

const usage =
  "Usage: npm run secrets:rotate -- --previous-key <old-key-file> [--previous-key <older>]\n" +
  "  Re-encrypts every stored secret sealed by a previous key with the current one (BAILEY_SECRETS_KEY_FILE, else $BAILEY_DATA_DIR/secrets-key).";

/** The previous keys named on the command line, each checked before the database is touched. */
export function previousKeysFrom(args: string[], invocationDirectory: string) {
  let files: string[];
  try {
    files = parseArgs({ args, options: { "previous-key": { type: "string", multiple: true } } }).values["previous-key"] ?? [];
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}\n${usage}`);
  }
  if (!files.length) throw new ConfigurationError(`Name the key the secrets were sealed with before.\n${usage}`);
  return files.map((file) => loadSecretsKeyFile(path.resolve(invocationDirectory, file)));
}

export async function rotateStoredSecrets(env: LauncherEnv, databaseUrl: string, args: string[], invocationDirectory: string, log: (line: string) => void): Promise<number> {
  const previousKeys = previousKeysFrom(args, invocationDirectory);
  const key = loadSecretsKeyFile(env.BAILEY_SECRETS_KEY_FILE ? path.resolve(env.BAILEY_SECRETS_KEY_FILE) : path.join(env.dataDir, "secrets-key"));
  const prisma = createPrismaClient(databaseUrl, { maxConnections: 2 });
  try {
    const report = await rotateSecrets({ prisma, key, previousKeys });
    log(`re-encrypted ${report.resealed} secret(s) with key ${key.keyId} (${key.file})`);
    for (const { store, keyId, rows } of report.unknownKeyIds) log(`${rows} of the ${store} are sealed by key ${keyId}, which was not given: add --previous-key <its file>`);
    return report.unknownKeyIds.length ? 1 : 0;
  } finally {
    await prisma.$disconnect();
  }
}
