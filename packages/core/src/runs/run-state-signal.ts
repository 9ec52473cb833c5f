import { EventEmitter } from "node:events";
import type { PrismaClient } from "@bailey/db";

// One emitter per process, not per module copy: Next bundles @bailey/core into its server chunks
// while the scheduler's dispatch may run from the web server's own import of it.
const shared = globalThis as unknown as { baileyRunStateSignal?: EventEmitter };
const signal = (shared.baileyRunStateSignal ??= new EventEmitter().setMaxListeners(0));

/** Tells this process's waiters that the run's state may have changed (said after the change commits). */
export function announceRunStateChanged(runId: string): void {
  signal.emit(runId);
}

/**
 * Tells this process's log followers that the run's agent has started it on this host: said as
 * soon as run.start answers, before the running state commits, so a follower waiting for the
 * start opens the agent's log stream while the transition is still being written.
 */
export function announceRunStarted(runId: string, hostId: string): void {
  signal.emit(startedKey(runId), hostId);
}

/** Calls `listener` with the host's id once this process hears the run started there; returns the unsubscribe. */
export function onRunStarted(runId: string, listener: (hostId: string) => void): () => void {
  const key = startedKey(runId);
  signal.once(key, listener);
  return () => signal.off(key, listener);
}

const startedKey = (runId: string) => `started:${runId}`;

export interface WaitForRunStateOptions {
  prisma: PrismaClient;
  runId: string;
  /** True once the run's state is one the caller was waiting for. */
  reached: (state: string) => boolean;
  abort?: AbortSignal;
  timeoutMs: number;
  /** How often the state is read when nobody in this process announces it (another replica, the agent's events). */
  pollMs?: number;
}

/**
 * Waits until the run's state satisfies `reached`: at once when this process announces the change
 * (its dispatch), else at the next read of the row. Resolves false when the time is up or the
 * caller aborted.
 */
export async function waitForRunState({ prisma, runId, reached, abort, timeoutMs, pollMs = 250 }: WaitForRunStateOptions): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let wake: () => void = () => undefined;
  // A signal during the read is kept, so the read after it is not a poll interval late.
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    wake();
  };
  signal.on(runId, onSignal);
  abort?.addEventListener("abort", onSignal);
  try {
    while (!abort?.aborted) {
      signalled = false;
      const run = await prisma.run.findUnique({ where: { id: runId }, select: { state: true } });
      if (!run) return false;
      if (reached(run.state)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return false;
  } finally {
    signal.off(runId, onSignal);
    abort?.removeEventListener("abort", onSignal);
  }
}
