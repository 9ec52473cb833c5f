import type { PrismaClient } from "@bailey/db";
import { registryCredentialContext } from "./registries/registry-credentials";
import { teamSecretContext } from "./team-secrets/team-secrets";
import { openValue, type SealContext, type SealedValue, sealValue, type SecretsKey } from "./secrets";

/** A table of sealed values: how to find the rows another key sealed, what each is sealed to, and how to store it again. */
interface SealedStore {
  name: string;
  sealedByOtherKeys(prisma: PrismaClient, keyId: string): Promise<(SealedValue & { id: string; context: SealContext })[]>;
  /** Writes only if the row is still sealed by `fromKeyId` (a concurrent save wins). */
  replace(prisma: PrismaClient, id: string, fromKeyId: string, sealed: SealedValue): Promise<boolean>;
}

const sealedStores: SealedStore[] = [
  {
    name: "registry credentials",
    sealedByOtherKeys: async (prisma, keyId) =>
      (await prisma.registryCredential.findMany({ where: { keyId: { not: keyId } } })).map((row) => ({ ...row, context: registryCredentialContext(row.teamId, row.registry) })),
    replace: async (prisma, id, fromKeyId, sealed) => (await prisma.registryCredential.updateMany({ where: { id, keyId: fromKeyId }, data: sealed })).count === 1,
  },
  {
    name: "team secrets",
    sealedByOtherKeys: async (prisma, keyId) => (await prisma.secret.findMany({ where: { keyId: { not: keyId } } })).map((row) => ({ ...row, context: teamSecretContext(row.teamId, row.name) })),
    replace: async (prisma, id, fromKeyId, sealed) => (await prisma.secret.updateMany({ where: { id, keyId: fromKeyId }, data: sealed })).count === 1,
  },
];

export interface RotationReport {
  resealed: number;
  /** Rows sealed by a key that was not given: they still need that key. */
  unknownKeyIds: { store: string; keyId: string; rows: number }[];
}

/** Re-encrypts every stored secret sealed by one of `previousKeys` with `key` (the key this server now uses). */
export async function rotateSecrets({ prisma, key, previousKeys }: { prisma: PrismaClient; key: SecretsKey; previousKeys: SecretsKey[] }): Promise<RotationReport> {
  const byId = new Map(previousKeys.map((previous) => [previous.keyId, previous]));
  const report: RotationReport = { resealed: 0, unknownKeyIds: [] };
  for (const store of sealedStores) {
    const unknown = new Map<string, number>();
    for (const row of await store.sealedByOtherKeys(prisma, key.keyId)) {
      const previous = byId.get(row.keyId);
      if (!previous) {
        unknown.set(row.keyId, (unknown.get(row.keyId) ?? 0) + 1);
        continue;
      }
      const sealed = sealValue(key, openValue(previous, row, row.context), row.context);
      if (await store.replace(prisma, row.id, row.keyId, sealed)) report.resealed += 1;
    }
    for (const [keyId, rows] of unknown) report.unknownKeyIds.push({ store: store.name, keyId, rows });
  }
  return report;
}
