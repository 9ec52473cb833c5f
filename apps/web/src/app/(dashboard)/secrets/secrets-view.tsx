"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { SecretForm } from "./secret-form";

// Everyone in the team sees the secrets' names (to use them in runs); admins change them; nobody reads a value back.
export function SecretsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const secrets = useQuery(trpc.secrets.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey() });
  const remove = useMutation(trpc.secrets.delete.mutationOptions({ onSettled: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const saved = (message: string) => {
    setNotice(message);
    setEditing(null);
    void refresh();
  };
  const editingSecret = secrets.data?.secrets.find((secret) => secret.id === editing);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Secrets</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A run names a secret to get its value:{" "}
        <code className="font-mono text-xs">
          secrets: {"{"}ENV_NAME: name{"}"}
        </code>{" "}
        puts it in an environment variable, <code className="font-mono text-xs">secretFiles: [name]</code> in the file <code className="font-mono text-xs">/run/secrets/name</code> (preferred: Docker
        keeps a container&apos;s environment in its own files on the host). Bailey stores values encrypted under a key kept outside the database, sends them to a host only inside the run request over
        SSH, and never shows them again: not here, not in the API, not in the audit log.
      </p>
      <RoleGate atLeast="admin">
        <SecretForm onSaved={saved} />
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
      {secrets.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(secrets.error)}
        </p>
      ) : null}
      {secrets.isPending ? <p className="text-sm text-zinc-500">Loading secrets…</p> : null}
      {secrets.data?.secrets.length === 0 ? <EmptyState title="No secrets">An admin can add one above; runs then name it.</EmptyState> : null}
      {secrets.data?.secrets.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Description</th>
                <th className="px-4 py-2 font-medium">Saved</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {secrets.data.secrets.map((secret) => (
                <tr key={secret.id} className="border-t border-zinc-200 align-top dark:border-zinc-800" data-secret={secret.name}>
                  <td className="px-4 py-2 font-mono text-xs">{secret.name}</td>
                  <td className="px-4 py-2">{secret.description ?? <span className="text-zinc-400">none</span>}</td>
                  <td className="px-4 py-2 text-zinc-500">
                    {secret.updatedAt.toLocaleString()}
                    {secret.createdBy ? <span className="block text-xs">by {secret.createdBy.name ?? secret.createdBy.email}</span> : null}
                  </td>
                  <td className="px-4 py-2 text-right">
                    <RoleGate atLeast="admin">
                      <div className="flex justify-end gap-2">
                        <Button variant="secondary" onClick={() => setEditing(editing === secret.id ? null : secret.id)}>
                          Update
                        </Button>
                        <ConfirmButton label="Delete" title={`Delete the secret ${secret.name}?`} confirmLabel="Delete secret" onConfirm={() => remove.mutate({ id: secret.id })}>
                          New runs that name {secret.name} are refused until a secret of that name is added again. Runs already started keep the value they were given.
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
      {editingSecret ? <SecretForm key={editingSecret.id} existing={editingSecret} onSaved={saved} /> : null}
    </div>
  );
}
