"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { RoleGate, useRole } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { describeInjection } from "~/lib/describe-injection";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { GrantForm } from "./grant-form";

// Everyone in the team sees the grants (to name them in runs); admins change them.
export function GrantsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const role = useRole();
  const grants = useQuery(trpc.grants.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.grants.list.queryKey() });
  const remove = useMutation(trpc.grants.delete.mutationOptions({ onSettled: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const saved = (message: string) => {
    setNotice(message);
    setEditing(null);
    void refresh();
  };
  const editingGrant = grants.data?.grants.find((grant) => grant.id === editing);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Grants</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A grant lets a run use a secret without ever seeing it: a run that names it in <code className="font-mono text-xs">grants: [name]</code> sends its requests through Bailey&apos;s egress proxy,
        which adds the secret&apos;s value (as a header, Bearer or Basic credentials, or a query parameter) to HTTPS requests for the grant&apos;s hosts only. Other hosts never get it.
      </p>
      <RoleGate atLeast="admin">
        <GrantForm onSaved={saved} />
      </RoleGate>
      {role && role !== "admin" && role !== "owner" ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="grants-read-only">
          Admins manage grants; you can name these in your runs.
        </p>
      ) : null}
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
      {grants.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(grants.error)}
        </p>
      ) : null}
      {grants.isPending ? <p className="text-sm text-zinc-500">Loading grants…</p> : null}
      {grants.data?.grants.length === 0 ? (
        <EmptyState title="No grants">
          A grant pairs a secret with the hosts it is for. The run never sees the secret: the egress proxy adds it to requests for those hosts. An admin can add one above.
        </EmptyState>
      ) : null}
      {grants.data?.grants.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Hosts</th>
                <th className="px-4 py-2 font-medium">Injected as</th>
                <th className="px-4 py-2 font-medium">Secret</th>
                <th className="px-4 py-2 font-medium">Description</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {grants.data.grants.map((grant) => (
                <tr key={grant.id} className="border-t border-zinc-200 align-top dark:border-zinc-800" data-grant={grant.name}>
                  <td className="px-4 py-2 font-mono text-xs">{grant.name}</td>
                  <td className="px-4 py-2 font-mono text-xs">
                    {grant.hosts.map((host) => (
                      <span key={host} className="block">
                        {host}
                      </span>
                    ))}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs" data-testid="grant-injection">
                    {describeInjection(grant.inject)}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{grant.secretName}</td>
                  <td className="px-4 py-2">
                    {grant.description ?? <span className="text-zinc-400">none</span>}
                    {grant.createdBy ? <span className="block text-xs text-zinc-500">by {grant.createdBy.name ?? grant.createdBy.email}</span> : null}
                  </td>
                  <td className="px-4 py-2 text-right">
                    <RoleGate atLeast="admin">
                      <div className="flex justify-end gap-2">
                        <Button variant="secondary" onClick={() => setEditing(editing === grant.id ? null : grant.id)}>
                          Edit
                        </Button>
                        <ConfirmButton label="Delete" title={`Delete the grant ${grant.name}?`} confirmLabel="Delete grant" onConfirm={() => remove.mutate({ id: grant.id })}>
                          New runs that name {grant.name} are refused until a grant of that name is added again. Runs already started keep it until they end. The secret {grant.secretName} stays.
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
      {editingGrant ? <GrantForm key={editingGrant.id} existing={editingGrant} onSaved={saved} /> : null}
    </div>
  );
}
