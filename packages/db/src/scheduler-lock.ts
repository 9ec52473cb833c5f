import pg from "pg";

/**
 * The scheduler lock: a Postgres session advisory lock that exactly one process holds while it
 * ticks (the elected replica's loop, or one /api/cron/tick call). It lives on a connection of
 * its own, not the Prisma pool: the lock is the session's, so it goes the instant that
 * connection does (the holder killed, its network gone) and another replica can take over.
 */
export const schedulerLockKey = 0x4ba1e8;

export interface SchedulerLock {
  /** Whether the lock's connection still answers (so the lock is still ours); false once it broke. */
  stillHeld(timeoutMs?: number): Promise<boolean>;
  /** Called once, at once, when the lock's connection breaks: the lock may already be another's. */
  onLost(listener: (reason: string) => void): void;
  release(): Promise<void>;
}

/** Takes the scheduler lock if no one holds it; null when another process does. */
export async function tryTakeSchedulerLock(databaseUrl: string): Promise<SchedulerLock | null> {
  const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true, keepAliveInitialDelayMillis: 1_000, application_name: "bailey-scheduler-lock" });
  let lost: string | null = null;
  const listeners: ((reason: string) => void)[] = [];
  const lose = (reason: string) => {
    if (lost !== null) return;
    lost = reason;
    for (const listener of listeners) listener(reason);
  };
  client.on("error", (error) => lose(`the lock's database connection failed: ${error.message}`));
  client.on("end", () => lose("the lock's database connection closed"));
  await client.connect();
  let locked = false;
  try {
    locked = Boolean((await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [schedulerLockKey])).rows[0]?.locked);
  } finally {
    if (!locked) await client.end().catch(() => undefined);
  }
  if (!locked) return null;
  let released = false;
  return {
    stillHeld: async (timeoutMs = 5_000) => {
      if (lost !== null || released) return false;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const answered = client.query("SELECT 1").then(
        () => true,
        () => false,
      );
      const held = await Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
      // A connection that does not answer in time is treated as gone: ticking on could make two leaders.
      if (!held) {
        lose("the lock's database connection did not answer");
        void client.end().catch(() => undefined);
      }
      return held && lost === null;
    },
    onLost: (listener) => {
      if (lost !== null) listener(lost);
      else listeners.push(listener);
    },
    release: async () => {
      if (released) return;
      released = true;
      lost ??= "released";
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    },
  };
}
