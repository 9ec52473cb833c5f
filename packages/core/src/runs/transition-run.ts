import type { Prisma, RunState } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { enqueueRunWebhook } from "../webhooks/enqueue";
import { canTransition, finalRunStates } from "./state-machine";

export interface TransitionOptions {
  runId: string;
  from: RunState[];
  to: RunState;
  reason?: string;
  data?: Prisma.RunUncheckedUpdateManyInput;
  actor?: { actorType: "user" | "token" | "system" | "agent"; actorId?: string | null };
}

/**
 * Moves a run between states only from the states given (a compare-and-set on the row),
 * recording the transition and its audit event in the same transaction. Returns false
 * when the run was not in one of `from` — someone else moved it first.
 */
export async function transitionRun(tx: Prisma.TransactionClient, options: TransitionOptions): Promise<boolean> {
  // Locked, so the state compared is the one updated: without the lock, a transition
  // committed by another process between the read and the update made this one fail
  // although its `from` allowed the newer state (an agent's exit event was then lost).
  const [run] = await tx.$queryRaw<{ state: RunState; teamId: string; hostId: string | null }[]>`SELECT state, "teamId", "hostId" FROM "Run" WHERE id = ${options.runId} FOR UPDATE`;
  if (!run || !options.from.includes(run.state) || !canTransition(run.state, options.to)) return false;
  const now = new Date();
  const { count } = await tx.run.updateMany({
    where: { id: options.runId, state: run.state },
    data: {
      state: options.to,
      ...(options.reason !== undefined ? { stateReason: options.reason } : {}),
      ...(options.to === "scheduled" ? { scheduledAt: now } : {}),
      ...(options.to === "running" ? { startedAt: now } : {}),
      ...(finalRunStates.includes(options.to) ? { finishedAt: now } : {}),
      ...options.data,
    },
  });
  if (count !== 1) return false;
  await tx.runTransition.create({ data: { runId: options.runId, fromState: run.state, toState: options.to, reason: options.reason ?? null } });
  await appendAuditEvent(tx, {
    teamId: run.teamId,
    actorType: options.actor?.actorType ?? "system",
    actorId: options.actor?.actorId ?? null,
    action: `run.${options.to}`,
    targetType: "run",
    targetId: options.runId,
    runId: options.runId,
    hostId: run.hostId,
    data: { from: run.state, to: options.to, ...(options.reason ? { reason: options.reason } : {}) },
  });
  // The outbox: a final state's webhook event commits with the state or not at all.
  await enqueueRunWebhook(tx, options.runId, options.to);
  return true;
}
