import { databaseUnavailable } from "@bailey/core";
import { type SchedulerLock, tryTakeSchedulerLock } from "@bailey/db/scheduler-lock";
import { startSchedulerLoop } from "./scheduler-loop";

type SchedulerLoopOptions = Parameters<typeof startSchedulerLoop>[0];

/** The lock is taken with pg directly, so the database being down shows as pg's errors as well as Prisma's. */
const connectionFailureCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P02", "57P03"]);
const unreachable = (error: unknown): boolean => Boolean(databaseUnavailable(error)) || connectionFailureCodes.has(String((error as { code?: unknown }).code));

export interface ElectedScheduler {
  /** Whether this replica holds the scheduler lock and ticks. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * Every replica runs this; exactly one ticks. The one holding the scheduler lock (a Postgres
 * session advisory lock on a connection of its own) runs the scheduler loop; the others try
 * for the lock every `retryMs` and so take over within seconds of the leader's death (its
 * connection drops, and the lock with it). A leader whose lock connection breaks stops ticking
 * at once (no new tick starts; the lock may already be another's) and stands by like the rest.
 */
export function startElectedScheduler(options: SchedulerLoopOptions & { retryMs?: number }): ElectedScheduler {
  const retryMs = options.retryMs ?? 2_000;
  let stopped = false;
  let lock: SchedulerLock | null = null;
  let loop: ReturnType<typeof startSchedulerLoop> | null = null;
  let retry: NodeJS.Timeout | undefined;
  let attempt: Promise<void> = Promise.resolve();
  let standbySaid = false;
  let failureSaid = false;
  // A database outage is said once, whether the loop's tick or the election noticed it first.
  let outageSaid = false;
  const loopLog = (line: string) => {
    if (/the database is unreachable/.test(line)) {
      if (outageSaid) return;
      outageSaid = true;
    }
    if (/the database is back/.test(line)) outageSaid = false;
    options.log(line);
  };

  const standBy = () => {
    if (!stopped) retry = setTimeout(elect, retryMs);
  };
  const stepDown = (reason: string) => {
    if (!lock) return;
    options.log(`scheduler: no longer the leader (${reason}); standing by`);
    const [oldLoop, oldLock] = [loop, lock];
    lock = null;
    loop = null;
    standbySaid = true;
    // stop() ends further ticks at once; the tick already under way finishes on its own.
    void oldLoop?.stop().catch((error: Error) => options.log(`scheduler: stopping the loop: ${error.message}`));
    void oldLock.release();
    standBy();
  };
  const elect = () => {
    attempt = (async () => {
      try {
        const taken = await tryTakeSchedulerLock(options.databaseUrl);
        failureSaid = false;
        if (stopped) return void (await taken?.release());
        if (!taken) {
          if (!standbySaid) options.log(`scheduler: another replica is the leader; standing by (trying every ${retryMs / 1000} s)`);
          standbySaid = true;
          return standBy();
        }
        lock = taken;
        options.log(`scheduler: ${outageSaid ? "the database is back; " : ""}this replica is the leader; ticking`);
        outageSaid = false;
        const held = taken;
        loop = startSchedulerLoop({ ...options, log: loopLog, mayTick: () => held.stillHeld() });
        taken.onLost((reason) => {
          if (lock === held) stepDown(reason);
        });
      } catch (error) {
        if (unreachable(error)) {
          if (!outageSaid) options.log(`scheduler: the database is unreachable; retrying every ${retryMs / 1000} s until it is back`);
          outageSaid = true;
        } else if (!failureSaid) {
          options.log(`scheduler: cannot take the scheduler lock (${(error as Error).message}); retrying every ${retryMs / 1000} s`);
        }
        failureSaid = true;
        standBy();
      }
    })();
  };
  elect();
  return {
    isLeader: () => lock !== null,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await attempt;
      const [oldLoop, oldLock] = [loop, lock];
      lock = null;
      loop = null;
      await oldLoop?.stop();
      await oldLock?.release();
    },
  };
}
