import type { Readable } from "node:stream";
import type { PrismaClient } from "@bailey/db";
import { type TeamContext, teamScope } from "../authz";
import { type BlobStore, runResultKey } from "../blobs/blob-store";
import { AppError } from "../errors";
import { finalRunStates } from "../runs/state-machine";
import { expiredReason } from "./get-run-results";
import { missingResults, specAsksForResults } from "./results-spec";

export interface OpenedRunResult {
  stream: Readable;
  sizeBytes: number;
  sha256: string;
  kind: "diff" | "bundle" | "artifact";
}

/**
 * One stored result file (`diff.patch`, `commits.bundle`, `artifacts/<path>`) as a stream from
 * the blob store. Not stored (none made, still shipping, or expired) is NOT_FOUND saying which.
 */
export async function openRunResult({
  prisma,
  blobs,
  ctx,
  runId,
  name,
}: {
  prisma: PrismaClient;
  blobs: BlobStore;
  ctx: Pick<TeamContext, "teamId">;
  runId: string;
  name: string;
}): Promise<OpenedRunResult> {
  const run = await prisma.run.findFirst({
    where: teamScope(ctx, { id: runId }),
    select: { id: true, spec: true, state: true, resultsState: true, resultsMissing: true, blobsExpiredAt: true, team: { select: { blobRetentionDays: true } } },
  });
  if (!run) throw AppError.notFound("Run");
  if (run.blobsExpiredAt) throw new AppError("NOT_FOUND", `${name} of run ${runId} is gone: ${expiredReason(run.team.blobRetentionDays)}.`);
  const file = await prisma.runResult.findUnique({ where: { runId_name: { runId, name } } });
  if (file?.completedAt) {
    return { stream: blobs.read(runResultKey(runId, name), Number(file.sizeBytes)), sizeBytes: Number(file.sizeBytes), sha256: file.sha256, kind: file.kind as OpenedRunResult["kind"] };
  }
  throw new AppError("NOT_FOUND", whyNotStored(run, name, file !== null));
}

function whyNotStored(run: { id: string; spec: unknown; state: string; resultsState: string; resultsMissing: unknown }, name: string, known: boolean): string {
  const listed = missingResults(run.resultsMissing);
  const missing = listed.find((entry) => entry.name === name) ?? listed.find((entry) => name.startsWith(`${entry.name}/`));
  if (missing) return `${name} of run ${run.id} is missing: ${missing.reason}.`;
  if (!specAsksForResults(run.spec)) return `Run ${run.id} has no results: its spec has no workspace and no artifacts.`;
  if (known || run.resultsState === "pending" || !finalRunStates.includes(run.state as never))
    return `${name} of run ${run.id} is not stored yet: results are collected when the run ends and shipped from its host; try again in a moment.`;
  const whole = missingResults(run.resultsMissing)[0];
  return `Run ${run.id} has no ${name}${whole ? ` (${whole.name}: ${whole.reason})` : ""}; GET /api/v1/runs/${run.id}/results lists what it has.`;
}
