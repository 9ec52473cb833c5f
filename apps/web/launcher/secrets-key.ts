import { existsSync } from "node:fs";
import path from "node:path";
import { createSecretsKeyFile, loadSecretsKeyFile } from "@bailey/core";
import { ConfigurationError } from "./env";

/**
 * The key sealing registry credentials (and later team secrets): BAILEY_SECRETS_KEY_FILE when
 * given, else made once in the data directory (owner-only) and kept, because every sealed value
 * needs it to be opened again. Checked here so a bad key stops `npm start`, not a dispatch.
 */
export function loadOrCreateSecretsKey(dataDir: string, configuredFile: string | undefined, log: (line: string) => void): string {
  const file = configuredFile ? path.resolve(configuredFile) : path.join(dataDir, "secrets-key");
  if (configuredFile || existsSync(file)) {
    try {
      loadSecretsKeyFile(file);
    } catch (error) {
      throw new ConfigurationError(`Bailey cannot start: ${(error as Error).message}`);
    }
    return file;
  }
  const key = createSecretsKeyFile(file);
  log(`made the secrets key ${file} (key id ${key.keyId}); back it up: registry credentials saved in Bailey cannot be opened without it`);
  return file;
}
