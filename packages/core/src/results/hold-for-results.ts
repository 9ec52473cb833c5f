import type { Prisma, RunState } from "@bailey/db";
import { specAsksForResults } from "./results-spec";

/** What a run's end said it is, kept until its results are stored. */
export interface RunEnding {
  to: RunState;
  reason: string;
  exitCode?: number | null;
}

export const collectingResultsReason = "collecting results";

/**
 * A run with results does not take its final state when its container ends: the ending is
 * recorded (endedState, endedReason, exitCode) and the run stays running or stopping with
 * resultsState pending until the results shipper has stored them. Returns false for a run that
 * asks for no results (the caller transitions it as before).
 */
export async function holdForResults(tx: Prisma.TransactionClient, run: { id: string; spec: unknown; state: RunState; resultsState: string }, ending: RunEnding): Promise<boolean> {
  if (!specAsksForResults(run.spec)) return false;
  if (run.state !== "running" && run.state !== "stopping") return false;
  // Already holding (a second ending, e.g. run.failed after container.exited): the first one stands.
  if (run.resultsState === "pending" || run.resultsState === "complete" || run.resultsState === "partial") return true;
  await tx.run.updateMany({
    where: { id: run.id, state: { in: ["running", "stopping"] } },
    data: {
      endedState: ending.to,
      endedReason: ending.reason,
      ...(ending.exitCode !== undefined ? { exitCode: ending.exitCode } : {}),
      resultsState: "pending",
      stateReason: collectingResultsReason,
    },
  });
  return true;
}

/** A results run that ends before it started has none; the record says why instead of leaving them pending. */
export function resultsNeverMade(spec: unknown, why: string): Prisma.RunUncheckedUpdateManyInput {
  if (!specAsksForResults(spec)) return {};
  return { resultsState: "partial", resultsMissing: [{ name: "results", reason: `the run ended before its workspace was ready: ${why}` }] };
}
