import { blobStoreFromEnv } from "@bailey/core";
import type { webServerEnv } from "./env";
import { type ElectedScheduler, startElectedScheduler } from "./scheduler-election";

/**
 * The scheduler of one replica (the dashboard's process): when BAILEY_TICK_INTERVAL_MS > 0 it
 * stands for leader (scheduler-election.ts), so the scheduler lives in the same process as the
 * HTTP server, its metrics and its health; with 0 the replica only serves HTTP.
 */
export function startReplicaScheduler(env: ReturnType<typeof webServerEnv>, log: (line: string) => void): ElectedScheduler | null {
  if (!(env.tickIntervalMs > 0)) return null;
  return startElectedScheduler({
    databaseUrl: env.databaseUrl(),
    intervalMs: env.tickIntervalMs,
    ...(env.sshPrivateKeyFile ? { sshPrivateKeyFile: env.sshPrivateKeyFile } : {}),
    ...(env.auditSigningKeyFile ? { auditSigningKeyFile: env.auditSigningKeyFile } : {}),
    blobs: blobStoreFromEnv(),
    log,
  });
}
