import type { PrismaClient } from "@bailey/db";

/**
 * How long the process that claimed a run for dispatch owns it without renewing: a live
 * dispatcher renews it while run.create (which includes the image pull) is outstanding, and
 * run.start answers within 60 s. After it, another control plane takes the run over: the claimer
 * may have died between its claim and the agent's answer (its retried run.create joins the
 * agent's provisioning in progress rather than starting a second one).
 */
export const defaultDispatchLeaseMs = 200_000;

/** The row update that claims a run for dispatch (with the transition to `provisioning`). */
export function dispatchClaim(leaseMs: number) {
  return { dispatchAttempts: { increment: 1 }, dispatchLeaseUntil: new Date(Date.now() + leaseMs) };
}

/**
 * How long dispatch waits for run.create: the agent's longest pull (BAILEY_PULL_TIMEOUT, at most
 * 3600 s on the host) plus provisioning. A host that stops answering is found by its heartbeat long before.
 */
export const runCreateTimeoutMs = 65 * 60_000;

/** Renews the dispatch lease of a run still provisioning, every third of the lease, until stopped. */
export function keepDispatchLease(prisma: PrismaClient, runId: string, leaseMs: number): { stop(): void } {
  const timer = setInterval(
    () => {
      prisma.run.updateMany({ where: { id: runId, state: "provisioning" }, data: { dispatchLeaseUntil: new Date(Date.now() + leaseMs) } }).catch(() => undefined);
    },
    Math.max(1_000, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
