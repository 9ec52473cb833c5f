"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { RoleGate, useRole } from "~/components/role-gate";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { Select } from "~/components/ui/select";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { InviteLinks } from "./invite-links";
import { Retention } from "./retention";
import { RunPolicy } from "./run-policy";

const roles = ["viewer", "member", "admin", "owner"] as const;

export function TeamView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const role = useRole();
  const me = useQuery(trpc.me.get.queryOptions());
  const members = useQuery(trpc.team.members.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.team.members.queryKey() });
  const changeRole = useMutation(trpc.team.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.team.remove.mutationOptions({ onSettled: refresh }));
  const leave = useMutation(trpc.team.leave.mutationOptions({ onSuccess: () => router.push("/runs") }));
  const problem = changeRole.error ?? remove.error ?? leave.error;
  const mayManage = (memberRole: string) => role === "owner" || (role === "admin" && memberRole !== "owner");

  return (
    <div className="space-y-8">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Team {me.data?.team.name ?? ""}</h1>
        <ConfirmButton label="Leave team" title="Leave this team?" confirmLabel="Leave" onConfirm={() => leave.mutate()}>
          You lose access to its runs, hosts and tokens; your API tokens for it stop working. An admin can invite you back.
        </ConfirmButton>
      </div>
      {problem ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {errorMessage(problem)}
        </p>
      ) : null}
      <section className="space-y-3" aria-labelledby="members-heading">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Member</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2 font-medium">Joined</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {(members.data ?? []).map((member) => (
                <tr key={member.id} className="border-t border-zinc-200 dark:border-zinc-800" data-member={member.user.email}>
                  <td className="px-4 py-2">
                    {member.user.name ? `${member.user.name} · ` : ""}
                    {member.user.email}
                    {member.isYou ? <span className="ml-2 text-xs text-zinc-500">(you)</span> : null}
                  </td>
                  <td className="px-4 py-2">
                    {mayManage(member.role) && !member.isYou ? (
                      <Select
                        aria-label={`Role of ${member.user.email}`}
                        value={member.role}
                        onChange={(event) => changeRole.mutate({ id: member.id, role: event.target.value as (typeof roles)[number] })}
                      >
                        {roles
                          .filter((option) => option !== "owner" || role === "owner")
                          .map((option) => (
                            <option key={option} value={option}>
                              {option}
                            </option>
                          ))}
                      </Select>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td className="px-4 py-2 text-zinc-500">{member.createdAt.toLocaleDateString()}</td>
                  <td className="px-4 py-2 text-right">
                    {mayManage(member.role) && !member.isYou ? (
                      <ConfirmButton label="Remove" title={`Remove ${member.user.email}?`} confirmLabel="Remove" onConfirm={() => remove.mutate({ id: member.id })}>
                        They lose access to this team at once, and their API tokens for it stop working.
                      </ConfirmButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <Retention />
      <RoleGate atLeast="admin">
        <InviteLinks />
        <RunPolicy />
      </RoleGate>
    </div>
  );
}
