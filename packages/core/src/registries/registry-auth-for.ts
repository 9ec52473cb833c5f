import type { PrismaClient } from "@bailey/db";
import type { RegistryAuth } from "@bailey/protocol";
import { currentSecretsKey, openValue, type SecretsKey } from "../secrets";
import { registryCredentialContext } from "./registry-credentials";
import { registryOfImage } from "./registry-of-image";

/**
 * The team's credentials for the registry `image` is pulled from, decrypted for one request to
 * an agent; undefined when the team has none for it (the pull is then anonymous). A credential
 * that cannot be opened (another key sealed it) throws: pulling anonymously instead would only
 * fail later with a less useful "unauthorized".
 */
export async function registryAuthFor(prisma: PrismaClient, teamId: string, image: string, key?: SecretsKey): Promise<RegistryAuth | undefined> {
  const registry = registryOfImage(image);
  const credential = await prisma.registryCredential.findUnique({ where: { teamId_registry: { teamId, registry } } });
  if (!credential) return undefined;
  const password = openValue(key ?? currentSecretsKey(), credential, registryCredentialContext(teamId, registry));
  // Raw, so updatedAt keeps meaning "when the secret was last saved".
  await prisma.$executeRaw`UPDATE "RegistryCredential" SET "lastUsedAt" = now() WHERE id = ${credential.id}`;
  return { registry, username: credential.username, password };
}
