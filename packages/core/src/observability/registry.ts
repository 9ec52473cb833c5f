import { collectDefaultMetrics, Registry } from "prom-client";

// One registry per process, kept on globalThis: the web server's own modules and the copy of
// @bailey/core that Next bundles into its routes are different module instances, and both must
// write to the metrics that GET /metrics reads.
interface SharedMetrics {
  registry: Registry;
  metrics: Map<string, unknown>;
}
const shared = globalThis as unknown as { baileyMetrics?: SharedMetrics };

function sharedMetrics(): SharedMetrics {
  if (!shared.baileyMetrics) {
    const registry = new Registry();
    // Process CPU, memory, event-loop lag and GC, under the usual process_/nodejs_ names.
    collectDefaultMetrics({ register: registry });
    shared.baileyMetrics = { registry, metrics: new Map() };
  }
  return shared.baileyMetrics;
}

/** The process's metrics registry, which GET /metrics serialises. */
export function metricsRegistry(): Registry {
  return sharedMetrics().registry;
}

/** A metric made once per process, whichever module instance asks first. */
export function sharedMetric<T>(name: string, create: (registers: Registry[]) => T): T {
  const { registry, metrics } = sharedMetrics();
  if (!metrics.has(name)) metrics.set(name, create([registry]));
  return metrics.get(name) as T;
}
