import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

export interface PrismaClientOptions {
  /** Pool size per process; the control plane is stateless, so keep it modest. */
  maxConnections?: number;
  /** How long a query waits for a pooled connection before failing (ms). */
  connectionTimeoutMs?: number;
}

export function createPrismaClient(databaseUrl: string, options: PrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  return new PrismaClient({ adapter });
}
