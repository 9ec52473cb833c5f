// The scheduler half of one replica, as web-server.ts runs it (startElectedScheduler), in a
// process of its own for the replicas test: the test SIGKILLs it as it would a replica.
import { startElectedScheduler } from "../../launcher/scheduler-election";

const [databaseUrl, name] = process.argv.slice(2);
if (!databaseUrl || !name) throw new Error("usage: scheduler-replica.ts <database-url> <name>");
const scheduler = startElectedScheduler({
  databaseUrl,
  intervalMs: Number(process.env.BAILEY_TICK_INTERVAL_MS ?? 300),
  retryMs: 2_000,
  // Short, so the runs a killed leader had claimed are taken over within the test's time.
  dispatchLeaseMs: Number(process.env.BAILEY_REPLICA_TEST_LEASE_MS ?? 5_000),
  log: (line) => console.log(`[${name}] ${line}`),
});
process.once("SIGTERM", () => {
  void scheduler.stop().finally(() => process.exit(0));
});
