// The scheduler election against a real Postgres: one leader among several, a standby takes
// over when the leader goes, and a leader whose lock connection is cut stops being leader at once.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import pg from "pg";
import { migrateDatabase } from "@bailey/db/admin";
import { tryTakeSchedulerLock } from "@bailey/db/scheduler-lock";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { type ElectedScheduler, startElectedScheduler } from "../launcher/scheduler-election";

let db: ScratchDatabase;
const started: ElectedScheduler[] = [];
before(async () => {
  db = await createScratchDatabase();
  await migrateDatabase(db.url);
});
after(async () => {
  for (const scheduler of started) await scheduler.stop();
  await db.drop();
});

function replica(name: string, lines: string[]): ElectedScheduler {
  const scheduler = startElectedScheduler({ databaseUrl: db.url, intervalMs: 200, retryMs: 300, log: (line) => lines.push(`${name} ${line}`) });
  started.push(scheduler);
  return scheduler;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

it("elects exactly one leader, refuses the cron route's try-lock meanwhile, and hands over when the leader's lock connection is cut", { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const a = replica("a", lines);
  const b = replica("b", lines);
  await until("a leader", () => a.isLeader() || b.isLeader());
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // several retries of the standby
  assert.equal([a, b].filter((s) => s.isLeader()).length, 1, `one leader: ${lines.join("\n")}`);
  assert.equal(await tryTakeSchedulerLock(db.url), null, "/api/cron/tick's try-lock is refused while a replica leads");
  const [leader, standby] = a.isLeader() ? [a, b] : [b, a];

  // Cut the leader's lock connection from the server's side (as a network failure or an admin would).
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ terminated: boolean }>(
      "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'bailey-scheduler-lock' AND datname = current_database()",
    );
    assert.equal(rows.length, 1, "exactly one lock connection exists: the leader's");
  } finally {
    await admin.end();
  }
  const steppedDownMs = await until("the old leader to step down", () => !leader.isLeader(), 5_000);
  assert.ok(steppedDownMs < 1_000, `the old leader stopped being leader at once (${steppedDownMs} ms)`);
  await until("someone to lead again", () => standby.isLeader() || leader.isLeader());
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal([a, b].filter((s) => s.isLeader()).length, 1, `still one leader: ${lines.join("\n")}`);

  // The leader stops (SIGTERM): the lock is released and the other takes over.
  const current = a.isLeader() ? a : b;
  const other = current === a ? b : a;
  await current.stop();
  const takeoverMs = await until("the other to take over", () => other.isLeader(), 5_000);
  assert.ok(takeoverMs < 2_000, `took over within a retry (${takeoverMs} ms)`);
  assert.ok(
    lines.some((line) => /no longer the leader/.test(line)),
    lines.join("\n"),
  );
});
