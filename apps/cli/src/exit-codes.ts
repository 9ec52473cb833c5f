import type { Run } from "@bailey/sdk";

/**
 * The exit code `bailey run --follow` ends with, so scripts and CI can branch on a run's end as
 * on a local command's: its own code when it failed with one, timeout(1)'s 124, a shell's 130 for
 * an interrupted (cancelled) run.
 */
export function exitCodeForRun(run: Pick<Run, "state" | "exitCode">): number {
  switch (run.state) {
    case "succeeded":
      return 0;
    case "failed":
      return run.exitCode && run.exitCode > 0 && run.exitCode < 256 ? run.exitCode : 1;
    case "timed_out":
      return 124;
    case "cancelled":
      return 130;
    default:
      return 1;
  }
}
