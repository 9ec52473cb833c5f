import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { serverEnv } from "~/env";

const globalForPrisma = globalThis as unknown as { baileyPrisma?: PrismaClient };

/** One client per server process (and across dev hot reloads). */
export function db(): PrismaClient {
  globalForPrisma.baileyPrisma ??= createPrismaClient(serverEnv().DATABASE_URL);
  return globalForPrisma.baileyPrisma;
}
