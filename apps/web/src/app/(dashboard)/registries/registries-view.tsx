"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { SaveCredential } from "./save-credential";

// Everyone in the team sees which registries have credentials (never the secrets); admins change them.
export function RegistriesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const credentials = useQuery(trpc.registries.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.registries.list.queryKey() });
  const remove = useMutation(trpc.registries.remove.mutationOptions({ onSettled: refresh }));
  const [replacing, setReplacing] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const saved = (message: string) => {
    setNotice(message);
    setReplacing(null);
    void refresh();
  };
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Registry credentials</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Runs and pre-pulls of an image from a private registry use the team&apos;s credential for that registry. Bailey stores it encrypted under a key kept outside the database, sends it to a host
        only inside the pull request over SSH, and never shows it again: not here, not in the API, not in the audit log.
      </p>
      <RoleGate atLeast="admin">
        <SaveCredential onSaved={saved} />
      </RoleGate>
      {notice ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {notice}
        </p>
      ) : null}
      {remove.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(remove.error)}
        </p>
      ) : null}
      {credentials.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(credentials.error)}
        </p>
      ) : null}
      {credentials.isPending ? <p className="text-sm text-zinc-500">Loading credentials…</p> : null}
      {credentials.data?.credentials.length === 0 ? <EmptyState title="No registry credentials">Images are pulled anonymously. An admin can add one above for a private registry.</EmptyState> : null}
      {credentials.data?.credentials.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Registry</th>
                <th className="px-4 py-2 font-medium">Username</th>
                <th className="px-4 py-2 font-medium">Saved</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {credentials.data.credentials.map((credential) => (
                <tr key={credential.id} className="border-t border-zinc-200 align-top dark:border-zinc-800" data-registry={credential.registry}>
                  <td className="px-4 py-2 font-mono text-xs">{credential.registry}</td>
                  <td className="px-4 py-2">{credential.username}</td>
                  <td className="px-4 py-2 text-zinc-500">
                    {credential.updatedAt.toLocaleString()}
                    {credential.createdBy ? <span className="block text-xs">by {credential.createdBy.name ?? credential.createdBy.email}</span> : null}
                  </td>
                  <td className="px-4 py-2 text-zinc-500">{credential.lastUsedAt ? credential.lastUsedAt.toLocaleString() : "never"}</td>
                  <td className="px-4 py-2 text-right">
                    <RoleGate atLeast="admin">
                      <div className="flex justify-end gap-2">
                        <Button variant="secondary" onClick={() => setReplacing(replacing === credential.registry ? null : credential.registry)}>
                          Replace
                        </Button>
                        <ConfirmButton
                          label="Remove"
                          title={`Remove the credential for ${credential.registry}?`}
                          confirmLabel="Remove credential"
                          onConfirm={() => remove.mutate({ id: credential.id })}
                        >
                          Pulls from {credential.registry} are anonymous from now on: runs of its private images fail with &quot;unauthorized&quot; until a credential is saved again.
                        </ConfirmButton>
                      </div>
                    </RoleGate>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {replacing ? <SaveCredential key={replacing} registry={replacing} onSaved={saved} /> : null}
    </div>
  );
}
