/** Why a queued run is not on a host yet, as the scheduler last found it; nothing once it is placed. */
export function RunWaitReason({ run }: { run: { state: string; waitReason: string | null; waitReasonAt: Date | null; unplaceableSince: Date | null } }) {
  if (run.state !== "queued") return null;
  return (
    <div
      role="status"
      data-testid="run-wait-reason"
      className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
    >
      <p className="font-medium">{run.waitReason ? `Waiting: ${run.waitReason}` : "Waiting for the scheduler to look at this run…"}</p>
      {run.waitReasonAt ? (
        <p>
          Since <time dateTime={run.waitReasonAt.toISOString()}>{run.waitReasonAt.toLocaleString()}</time>.
        </p>
      ) : null}
      {run.unplaceableSince ? (
        <p>
          No host of this team can ever take it as they are now. Unless a matching host is added or changed, it fails when the team&apos;s unplaceable-run timeout (Team page, run policy) runs out,
          counted from <time dateTime={run.unplaceableSince.toISOString()}>{run.unplaceableSince.toLocaleString()}</time>.
        </p>
      ) : null}
    </div>
  );
}
