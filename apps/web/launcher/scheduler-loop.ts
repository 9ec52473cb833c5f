import { readFileSync } from "node:fs";
import { type BlobStore, databaseUnavailable, HostConnections, loadAuditSigningKeyFile, signDueAuditCheckpoints, startWebhookSender, tick } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";

/**
 * The scheduler, one tick after another (never overlapping), in the replica elected to drive it
 * (scheduler-election.ts); a hosted deployment calls /api/cron/tick instead. Errors are logged, never fatal.
 */
export function startSchedulerLoop(options: {
  databaseUrl: string;
  intervalMs: number;
  sshPrivateKeyFile?: string;
  auditSigningKeyFile?: string;
  /** Where runs' logs and results are shipped to (without it they stay on their hosts). */
  blobs?: BlobStore;
  log: (line: string) => void;
  /** How long a dispatch claim lasts before another tick may take it over (core's default when unset). */
  dispatchLeaseMs?: number;
  /** Asked before every tick; false skips it (the elected leader checks that its lock is still held). */
  mayTick?: () => Promise<boolean>;
}): {
  stop(): Promise<void>;
} {
  const prisma = createPrismaClient(options.databaseUrl, { maxConnections: 4 });
  const connections = new HostConnections(options.sshPrivateKeyFile ? { privateKey: readFileSync(options.sshPrivateKeyFile, "utf8") } : {});
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let databaseDown = false;
  // Webhooks go out from their own loop: a slow receiver never holds up the tick, nor a slow tick a delivery.
  const webhooks = startWebhookSender({ prisma, log: (line) => options.log(`webhooks: ${line}`) });
  const auditKey = options.auditSigningKeyFile ? loadAuditSigningKeyFile(options.auditSigningKeyFile) : null;
  // A chain the signer refuses stays refused every tick: said once per team and break.
  const refusalsSaid = new Set<string>();
  const signCheckpoints = async () => {
    if (!auditKey) return;
    const { refused } = await signDueAuditCheckpoints({ prisma, key: auditKey });
    for (const { teamId, brokenAtSeq, reason } of refused) {
      if (refusalsSaid.has(`${teamId}:${brokenAtSeq}`)) continue;
      refusalsSaid.add(`${teamId}:${brokenAtSeq}`);
      options.log(`audit: NOT signing team ${teamId}'s chain, it fails its check at event ${brokenAtSeq}: ${reason}`);
    }
  };
  const tickIfAllowed = async () => {
    if (options.mayTick && !(await options.mayTick())) return null;
    if (stopped) return null;
    return tick({ prisma, connections, ...(options.blobs ? { blobs: options.blobs } : {}), ...(options.dispatchLeaseMs ? { dispatchLeaseMs: options.dispatchLeaseMs } : {}) });
  };
  const loop = () => {
    running = tickIfAllowed()
      .then((report) => {
        if (!report) return;
        if (databaseDown) options.log("scheduler: the database is back; ticking again");
        databaseDown = false;
        if (report.placed || report.dispatched || report.lost || report.offline.length) {
          options.log(
            `scheduler: placed ${report.placed}, dispatched ${report.dispatched}, events ${report.ingested}, lost ${report.lost}${report.offline.length ? `, offline ${report.offline.join(" ")}` : ""}`,
          );
        }
      })
      .catch((error: Error) => {
        // An outage is said once, not with Prisma's whole message every interval.
        if (!databaseUnavailable(error)) return options.log(`scheduler tick failed: ${error.message}`);
        if (!databaseDown) options.log("scheduler: the database is unreachable; retrying every tick until it is back");
        databaseDown = true;
      })
      // Signing runs whether or not the tick succeeded; a database outage was said above.
      .then(() => (stopped ? undefined : signCheckpoints()))
      .catch((error: Error) => {
        if (!databaseUnavailable(error)) options.log(`audit checkpoint signing failed: ${error.message}`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  timer = setTimeout(loop, options.intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await webhooks.stop();
      connections.close();
      await prisma.$disconnect();
    },
  };
}
