"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRole } from "~/components/role-gate";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { RetentionForm } from "./retention-form";

/** The Team page's storage total and retention: every member reads them, owners and admins change the retention (part of the run policy). */
export function Retention() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const role = useRole();
  const storage = useQuery(trpc.team.storage.queryOptions());
  const update = useMutation(
    trpc.team.updatePolicy.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.team.policy.queryKey(), data);
        return queryClient.invalidateQueries({ queryKey: trpc.team.storage.queryKey() });
      },
    }),
  );
  if (storage.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        Could not load the team&apos;s storage: {errorMessage(storage.error)}
      </p>
    );
  }
  if (!storage.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  return (
    <RetentionForm
      retentionDays={storage.data.blobRetentionDays}
      storageBytes={storage.data.storageBytes}
      canEdit={role === "owner" || role === "admin"}
      saving={update.isPending}
      saved={update.isSuccess}
      error={update.error ? errorMessage(update.error) : ""}
      onSave={(days) => update.mutate({ blobRetentionDays: days })}
    />
  );
}
