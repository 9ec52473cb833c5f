import { Histogram } from "prom-client";
import { sharedMetric } from "./registry";

const ingestDelay = () =>
  sharedMetric(
    "bailey_event_ingest_delay_seconds",
    (registers) =>
      new Histogram({
        name: "bailey_event_ingest_delay_seconds",
        help: "Time from an agent recording an event in its journal (the host's clock) to the event committed in Postgres (this process's clock).",
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 1800],
        registers,
      }),
  );

/** Called after the events' transaction committed; a host clock ahead of ours counts as 0. */
export function observeEventsIngested(occurredAt: readonly Date[], now = Date.now()): void {
  const histogram = ingestDelay();
  for (const at of occurredAt) histogram.observe(Math.max(0, (now - at.getTime()) / 1000));
}
