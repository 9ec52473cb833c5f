import type { RunState } from "@bailey/db";

/** queued → scheduled → provisioning → running → (stopping →) succeeded | failed | cancelled | lost | timed_out */
const allowed: Record<RunState, RunState[]> = {
  queued: ["scheduled", "cancelled", "failed"],
  scheduled: ["provisioning", "queued", "cancelled", "failed", "lost"],
  provisioning: ["running", "failed", "cancelled", "lost", "scheduled"],
  running: ["stopping", "succeeded", "failed", "cancelled", "lost", "timed_out"],
  stopping: ["succeeded", "failed", "cancelled", "lost", "timed_out"],
  succeeded: [],
  failed: [],
  cancelled: [],
  lost: [],
  timed_out: [],
};

/** Placed on a host and not finished: somebody must watch these. */
export const activeRunStates = ["scheduled", "provisioning", "running", "stopping"] as const satisfies readonly RunState[];

export const finalRunStates: RunState[] = ["succeeded", "failed", "cancelled", "lost", "timed_out"];

export function canTransition(from: RunState, to: RunState): boolean {
  return allowed[from].includes(to);
}
