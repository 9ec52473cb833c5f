"use client";

import { useQuery } from "@tanstack/react-query";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/client";

/** Recomputes the team's hash chain on demand, checks its signed checkpoints, and says where it breaks, if it does. */
export function VerifyChain() {
  const trpc = useTRPC();
  const verify = useQuery(trpc.audit.verify.queryOptions(undefined, { enabled: false }));
  const result = verify.data;
  const fullySigned = result?.valid && result.signatures.configured && result.signatures.unsignedEvents === 0;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={() => void verify.refetch()} disabled={verify.isFetching}>
          {verify.isFetching ? "Verifying…" : "Verify chain"}
        </Button>
        <span role="status" data-testid="verify-result" className="text-sm">
          {verify.isError ? <span className="text-red-600">Could not verify: {verify.error.message}</span> : null}
          {result?.valid ? <span className="text-emerald-700 dark:text-emerald-400">The chain is intact: {result.events} events verified.</span> : null}
          {result && !result.valid ? (
            <span className="text-red-600 dark:text-red-400">
              The chain is broken at event #{result.brokenAtSeq}: {result.reason}.
            </span>
          ) : null}
        </span>
      </div>
      {result ? (
        <p
          data-testid="verify-signatures"
          data-signed-through={result.signatures.lastSignedSeq ?? ""}
          className={`text-sm ${fullySigned ? "text-emerald-700 dark:text-emerald-400" : result.valid ? "text-amber-700 dark:text-amber-400" : "text-zinc-600 dark:text-zinc-400"}`}
        >
          Signatures: {result.signatures.summary}
        </p>
      ) : null}
    </div>
  );
}
