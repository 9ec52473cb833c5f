export { currentSecretsKey } from "./current-secrets-key";
export { openValue, sealValue, type SealContext, type SealedValue } from "./secret-box";
export { createSecretsKeyFile, loadSecretsKeyFile, parseSecretsKey, secretsKeyId, type SecretsKey } from "./secrets-key";
