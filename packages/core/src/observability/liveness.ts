import { monitorEventLoopDelay } from "node:perf_hooks";

/** Longer than this without a timer firing is a stuck process, not a busy one. */
const stuckAfterMs = 5_000;

const shared = globalThis as unknown as { baileyLiveness?: { lastTickAt: number; delay: ReturnType<typeof monitorEventLoopDelay> } };

/** Starts (once per process) the heartbeat that liveness compares against. */
export function startLivenessMonitor(): void {
  if (shared.baileyLiveness) return;
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const state = { lastTickAt: Date.now(), delay };
  shared.baileyLiveness = state;
  setInterval(() => {
    state.lastTickAt = Date.now();
  }, 500).unref();
}

export type Liveness = { live: boolean; lastTickAgoMs: number; eventLoopDelayP99Ms: number };

/**
 * Live while the heartbeat timer keeps firing: a probe answered late (the loop was blocked)
 * sees the gap. The p99 event-loop delay since the last probe is reported for context.
 */
export function checkLiveness(now = Date.now()): Liveness {
  startLivenessMonitor();
  const state = shared.baileyLiveness!;
  const lastTickAgoMs = now - state.lastTickAt;
  const p99 = state.delay.percentile(99);
  const eventLoopDelayP99Ms = Number.isFinite(p99) ? Math.round(p99 / 1e6) : 0;
  state.delay.reset();
  return { live: lastTickAgoMs < stuckAfterMs, lastTickAgoMs, eventLoopDelayP99Ms };
}
