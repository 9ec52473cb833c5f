"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { EmptyState } from "~/components/empty-state";
import { RoleGate } from "~/components/role-gate";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { CreateToken } from "./create-token";

export function TokensView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSettled: refresh }));
  const me = useQuery(trpc.me.get.queryOptions());
  // Members revoke their own tokens; admins and owners any (the server checks the same).
  const canRevoke = (createdById: string | null) => me.data?.role === "admin" || me.data?.role === "owner" || (createdById !== null && createdById === me.data?.userId);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">API tokens</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Automation calls <code>/api/v1</code> (see{" "}
        <a className="underline" href="/api/v1/openapi.json">
          the OpenAPI document
        </a>
        ) with <code>Authorization: Bearer bly_…</code>. A token acts with its creator&apos;s current role and only within its scopes.
      </p>
      <RoleGate atLeast="member">
        <CreateToken onCreated={refresh} />
      </RoleGate>
      {revoke.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(revoke.error)}
        </p>
      ) : null}
      {tokens.isPending ? <p className="text-sm text-zinc-500">Loading tokens…</p> : null}
      {tokens.data?.length === 0 ? <EmptyState title="No tokens yet">Create one above for a CI job or a script.</EmptyState> : null}
      {tokens.data?.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Scopes</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2 font-medium">Expires</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} className="border-t border-zinc-200 dark:border-zinc-800" data-token={token.name}>
                  <td className="px-4 py-2">
                    {token.name} <span className="font-mono text-xs text-zinc-500">bly_{token.prefix}_…</span>
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{token.scopes.join(" ")}</td>
                  <td className="px-4 py-2 text-zinc-500">{token.lastUsedAt ? token.lastUsedAt.toLocaleString() : "never"}</td>
                  <td className="px-4 py-2 text-zinc-500">{token.revokedAt ? <span className="text-red-600">revoked</span> : token.expiresAt ? token.expiresAt.toLocaleDateString() : "never"}</td>
                  <td className="px-4 py-2 text-right">
                    {token.revokedAt || !canRevoke(token.createdById) ? null : (
                      <RoleGate atLeast="member">
                        <ConfirmButton label="Revoke" title={`Revoke ${token.name}?`} confirmLabel="Revoke token" onConfirm={() => revoke.mutate({ id: token.id })}>
                          Anything still using this token is refused from now on. This cannot be undone.
                        </ConfirmButton>
                      </RoleGate>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
