import type { Prisma, PrismaClient } from "@bailey/db";
import { finishRunResults } from "./ship-run-results";
import { specAsksForResults } from "./results-spec";

/**
 * A run on a lost host whose container had ended and whose results were shipping: it ends as its
 * end said, with what is stored, resultsState partial and each unstored file named. True when
 * this took care of the run (the caller then does not mark it lost).
 */
export async function endWithStoredResults(prisma: PrismaClient, run: { id: string; resultsState: string; endedState: string | null }, hostName: string): Promise<boolean> {
  if (run.resultsState !== "pending" || !run.endedState) return false;
  await finishRunResults(prisma, run.id, [], { reasonSuffix: `its host ${hostName} was lost before all its results were stored` });
  return true;
}

/** What a results run that is lost before it ended records: none of its results exist. */
export function resultsLostWithHost(spec: unknown, hostName: string): Prisma.RunUncheckedUpdateManyInput {
  if (!specAsksForResults(spec)) return {};
  return { resultsState: "partial", resultsMissing: [{ name: "results", reason: `its host ${hostName} was lost before the run ended, so its results were never collected` }] };
}
