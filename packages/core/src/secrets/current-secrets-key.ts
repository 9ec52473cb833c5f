import { existsSync } from "node:fs";
import { secretsKeyLocation } from "./env";
import { createSecretsKeyFile, loadSecretsKeyFile, type SecretsKey } from "./secrets-key";

/**
 * The key this process seals and opens with. `forSealing`: the data directory's key is made on
 * first use when none was configured (`npm start` makes it at start-up already); a configured
 * file that is missing is always an error, never silently replaced.
 */
export function currentSecretsKey({ forSealing = false }: { forSealing?: boolean } = {}): SecretsKey {
  const { file, configured } = secretsKeyLocation();
  if (forSealing && !configured && !existsSync(file)) return createSecretsKeyFile(file);
  return loadSecretsKeyFile(file);
}
