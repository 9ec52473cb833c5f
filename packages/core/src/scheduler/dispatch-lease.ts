/**
 * How long the process that claimed a run for dispatch owns it: run.create may take 120 s and
 * run.start 60 s, so a live dispatcher always answers within this. After it, another control
 * plane takes the run over: the claimer may have died between its claim and the agent's answer.
 */
export const defaultDispatchLeaseMs = 200_000;

/** The row update that claims a run for dispatch (with the transition to `provisioning`). */
export function dispatchClaim(leaseMs: number) {
  return { dispatchAttempts: { increment: 1 }, dispatchLeaseUntil: new Date(Date.now() + leaseMs) };
}
