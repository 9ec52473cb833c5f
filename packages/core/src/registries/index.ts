export { registryAuthFor } from "./registry-auth-for";
export { normalizeRegistry, registryOfImage } from "./registry-of-image";
export { parseRegistryName } from "./registry-name";
export { listRegistryCredentials, maxRegistryPasswordLength, removeRegistryCredential, saveRegistryCredential, type SaveRegistryCredentialOptions } from "./registry-credentials";
