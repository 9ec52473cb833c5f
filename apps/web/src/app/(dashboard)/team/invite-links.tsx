"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "~/components/copy-button";
import { useRole } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { Select } from "~/components/ui/select";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

/** Admins make one-time invite links; the link is shown once, pending ones can be revoked. */
export function InviteLinks() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const role = useRole();
  const [inviteRole, setInviteRole] = useState<"viewer" | "member" | "admin" | "owner">("member");
  const invites = useQuery(trpc.team.invites.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.team.invites.queryKey() });
  const create = useMutation(trpc.team.createInvite.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.team.revokeInvite.mutationOptions({ onSettled: refresh }));
  const link = create.data ? `${window.location.origin}${create.data.path}` : null;
  return (
    <section className="space-y-3" aria-labelledby="invite-heading">
      <h2 id="invite-heading" className="text-lg font-semibold">
        Invite by link
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        <Select aria-label="Role for the invite" value={inviteRole} onChange={(event) => setInviteRole(event.target.value as typeof inviteRole)}>
          <option value="viewer">viewer (can look)</option>
          <option value="member">member (can run)</option>
          <option value="admin">admin (hosts, members)</option>
          {role === "owner" ? <option value="owner">owner</option> : null}
        </Select>
        <Button onClick={() => create.mutate({ role: inviteRole })} disabled={create.isPending}>
          Create invite link
        </Button>
      </div>
      {create.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(create.error)}
        </p>
      ) : null}
      {link ? (
        <div className="space-y-2 rounded-md border border-emerald-300 p-3 dark:border-emerald-800" role="status">
          <p className="text-sm">Send this link to the person joining; it works once, for 7 days.</p>
          <pre data-testid="invite-link" className="overflow-x-auto rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-100">
            {link}
          </pre>
          <CopyButton text={link} label="Copy link" />
        </div>
      ) : null}
      {invites.data?.length ? (
        <ul className="space-y-1 text-sm">
          {invites.data.map((invite) => (
            <li key={invite.id} className="flex items-center gap-3">
              <span>
                Pending {invite.role} invite, expires {invite.expiresAt.toLocaleDateString()}
              </span>
              <Button variant="ghost" onClick={() => revoke.mutate({ id: invite.id })}>
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
