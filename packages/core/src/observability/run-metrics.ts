import { Histogram } from "prom-client";
import { sharedMetric } from "./registry";

/** Seconds from 0.1 to 30 min: a run may wait in the queue for capacity, or for its image to pull. */
const latencyBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

const dispatchLatency = () =>
  sharedMetric(
    "bailey_run_dispatch_latency_seconds",
    (registers) =>
      new Histogram({
        name: "bailey_run_dispatch_latency_seconds",
        help: "Time from a run's submission (queued) to its container started on its host (running), observed when the agent answers run.start.",
        buckets: latencyBuckets,
        registers,
      }),
  );

/** Records one run's queued → running time, once its agent has started it. */
export function observeRunStarted(createdAt: Date, now = Date.now()): void {
  dispatchLatency().observe(Math.max(0, (now - createdAt.getTime()) / 1000));
}
