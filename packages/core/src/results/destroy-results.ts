import type { PrismaClient } from "@bailey/db";
import type { BlobStore } from "../blobs/blob-store";
import { type MissingResult, missingResults, specAsksForResults } from "./results-spec";
import { type ResultsAgent, shipRunResults } from "./ship-run-results";
import { runLogger } from "../observability/logger";

/** How long a destroy waits for a run's results to ship before the host removes them. */
const shipBeforeDestroyMs = 30_000;

/**
 * Before its host removes a run whose results are still shipping: what can be shipped in a
 * bounded time is (the run then ends as its end said); a failure or a slow host never blocks
 * the destroy, and the run keeps what was stored.
 */
export async function shipResultsBeforeDestroy({ prisma, blobs, agent, runId }: { prisma: PrismaClient; blobs: BlobStore; agent: ResultsAgent; runId: string }): Promise<void> {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { resultsState: true, endedState: true } });
  if (run?.resultsState !== "pending" || !run.endedState) return;
  const deadline = Date.now() + shipBeforeDestroyMs;
  let timer: NodeJS.Timeout | undefined;
  const shipping = (async () => {
    while (Date.now() < deadline) {
      const shipped = await shipRunResults({ prisma, blobs, agent, runId, budgetBytes: 64 * 1024 * 1024 });
      if (shipped.finished || shipped.bytes === 0) return;
    }
  })().catch((error: unknown) => runLogger(runId).error(`shipping run ${runId}'s results before its destroy failed; it keeps what was stored: ${(error as Error).message}`));
  await Promise.race([shipping, new Promise((resolve) => (timer = setTimeout(resolve, shipBeforeDestroyMs)))]);
  clearTimeout(timer);
}

/** After a destroy: a run whose results were not all stored says which and why (partial), instead of staying pending. */
export async function recordResultsLostToDestroy(prisma: PrismaClient, runId: string): Promise<void> {
  const run = await prisma.run.findUnique({
    where: { id: runId },
    select: { spec: true, resultsState: true, resultsMissing: true, results: { where: { completedAt: null }, select: { name: true } } },
  });
  if (!run || !specAsksForResults(run.spec) || (run.resultsState !== "pending" && run.resultsState !== "none")) return;
  const reason = "the run was destroyed before it was stored";
  const kept = missingResults(run.resultsMissing).filter((entry) => !entry.reason.startsWith("sha256 mismatch once"));
  const missing: MissingResult[] = run.results.length
    ? run.results.map((file) => ({ name: file.name, reason }))
    : [{ name: "results", reason: "the run was destroyed before its results were collected" }];
  await prisma.run.updateMany({ where: { id: runId, resultsState: run.resultsState }, data: { resultsState: "partial", resultsMissing: [...kept, ...missing] } });
}
