import type { PrismaClient } from "@bailey/db";
import { type TeamContext, teamScope } from "../authz";
import { AppError } from "../errors";
import { finalRunStates } from "../runs/state-machine";
import { type MissingResult, missingResults, specAsksForResults } from "./results-spec";

export type RunResultsState = "none" | "pending" | "complete" | "partial";

export interface RunResultsView {
  state: RunResultsState;
  missing: MissingResult[];
  files: { name: string; kind: "diff" | "bundle" | "artifact"; sizeBytes: number; sha256: string; stored: boolean }[];
  baseCommit: string | null;
  headCommit: string | null;
  pushed: { branch: string; commit: string } | null;
  workspace: { git: string | null; ref: string | null } | null;
  logs: { storedBytes: number; complete: boolean };
  /** Retention removed the stored logs and results at this time; the record stays. */
  expiredAt: Date | null;
  /** The team's retention in days (what expiredAt's removal followed). */
  retentionDays: number;
}

/** A team's run's results as stored on the control plane; another team's run is NOT_FOUND. */
export async function getRunResults({ prisma, ctx, runId }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId">; runId: string }): Promise<RunResultsView> {
  const run = await prisma.run.findFirst({
    where: teamScope(ctx, { id: runId }),
    include: { results: { orderBy: { name: "asc" } }, team: { select: { blobRetentionDays: true } } },
  });
  if (!run) throw AppError.notFound("Run");
  const spec = (run.spec ?? {}) as { workspace?: { git?: string; ref?: string } };
  const asks = specAsksForResults(run.spec);
  const state = resultsStateOf(run.resultsState, asks, finalRunStates.includes(run.state));
  // Ended before anything recorded why (e.g. its clone failed inside run.create): the run's own reason says it.
  const missing =
    state === "partial" && run.resultsState === "none"
      ? [{ name: "results", reason: `the run ended before its results were collected: ${run.stateReason ?? run.state}` }]
      : missingResults(run.resultsMissing);
  const expired = run.blobsExpiredAt !== null;
  return {
    state,
    missing: expired ? [...missing, { name: "results", reason: expiredReason(run.team.blobRetentionDays) }] : missing,
    files: run.results.map((file) => ({
      name: file.name,
      kind: file.kind as "diff" | "bundle" | "artifact",
      sizeBytes: Number(file.sizeBytes),
      sha256: file.sha256,
      stored: file.completedAt !== null && !expired,
    })),
    baseCommit: run.baseCommit,
    headCommit: run.headCommit,
    pushed: run.pushedBranch && run.pushedCommit ? { branch: run.pushedBranch, commit: run.pushedCommit } : null,
    workspace: spec.workspace ? { git: spec.workspace.git ?? null, ref: spec.workspace.ref ?? null } : null,
    logs: { storedBytes: expired ? 0 : Number(run.logBytesStored), complete: run.logsCompleteAt !== null },
    expiredAt: run.blobsExpiredAt,
    retentionDays: run.team.blobRetentionDays,
  };
}

/** A run that asks for results reads as pending until it ends; one that ended without any (it never started) as partial. */
function resultsStateOf(stored: string, asks: boolean, final: boolean): RunResultsState {
  if (stored === "complete" || stored === "partial" || stored === "pending") return stored;
  if (!asks) return "none";
  return final ? "partial" : "pending";
}

export const expiredReason = (days: number) => `expired by the team's retention (${days} day${days === 1 ? "" : "s"}); the run's record stays, its stored logs and results were removed`;
