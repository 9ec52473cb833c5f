import type { Prisma } from "@bailey/db";
import type { AgentEvent } from "@bailey/protocol";

export const resultEventTypes = new Set(["workspace.ready", "push.succeeded"]);

/** The commit a workspace was cloned at, and the branch a push made, onto the run as they happen. */
export async function applyRunResultEvent(tx: Prisma.TransactionClient, runId: string, event: AgentEvent): Promise<void> {
  if (event.type === "workspace.ready" && typeof event.data.commit === "string") {
    await tx.run.update({ where: { id: runId }, data: { baseCommit: event.data.commit } });
  } else if (event.type === "push.succeeded" && typeof event.data.branch === "string" && typeof event.data.commit === "string") {
    await tx.run.update({ where: { id: runId }, data: { pushedBranch: event.data.branch, pushedCommit: event.data.commit } });
  }
}
