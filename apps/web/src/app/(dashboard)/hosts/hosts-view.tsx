"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { AddHost } from "./add-host";
import { HostActivityChart } from "./host-activity-chart";
import { HostImages } from "./host-images";
import { HostPools } from "./host-pools";
import { HostStatusBadge } from "./host-status-badge";
import { PullImage } from "./pull-image";

const features = [
  ["hasNetworks", "networks"],
  ["hasSidecars", "sidecars"],
  ["hasBuilds", "builds"],
  ["hasRunsc", "gVisor"],
  ["hasWorkspaces", "workspaces"],
] as const;

export function HostsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [pulling, setPulling] = useState(false);
  const hosts = useQuery(trpc.hosts.list.queryOptions(undefined, { refetchInterval: 3000 }));
  const imagePulls = useQuery(trpc.hosts.imagePulls.queryOptions({ limit: 200 }, { refetchInterval: 3000 }));
  const pools = useQuery(trpc.pools.list.queryOptions(undefined, { refetchInterval: 2000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
  const drain = useMutation(trpc.hosts.drain.mutationOptions({ onSettled: refresh }));
  const resume = useMutation(trpc.hosts.resume.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.hosts.remove.mutationOptions({ onSettled: refresh }));
  const problem = drain.error ?? resume.error ?? remove.error;

  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Hosts</h1>
        <RoleGate atLeast="admin">
          <div className="flex gap-2">
            {pulling || !hosts.data?.hosts.length ? null : (
              <Button variant="secondary" onClick={() => setPulling(true)}>
                Pull image
              </Button>
            )}
            {adding ? null : <Button onClick={() => setAdding(true)}>Add host</Button>}
          </div>
        </RoleGate>
      </div>
      {adding ? <AddHost onDone={() => setAdding(false)} /> : null}
      {pulling && hosts.data ? <PullImage hosts={hosts.data.hosts} onDone={() => setPulling(false)} /> : null}
      {problem ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {errorMessage(problem)}
        </p>
      ) : null}
      {hosts.isPending ? <p className="text-sm text-zinc-500">Loading hosts…</p> : null}
      {hosts.isError ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          Could not load hosts: {hosts.error.message}
        </p>
      ) : null}
      {hosts.data?.hosts.length === 0 && !adding ? (
        <EmptyState title="No hosts yet">Add a host: Bailey shows a one-line install command to run on it, and the host appears here when it reports back.</EmptyState>
      ) : null}
      {hosts.data?.hosts.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Host</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Runtime</th>
                <th className="px-4 py-2 font-medium">Features</th>
                <th className="px-4 py-2 font-medium">Runs</th>
                <th className="px-4 py-2 font-medium">Labels</th>
                <th className="px-4 py-2 font-medium">Last contact</th>
                <th className="px-4 py-2 font-medium">Last hour</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {hosts.data.hosts.map((host) => (
                <Fragment key={host.id}>
                  <tr className="border-t border-zinc-200 align-top dark:border-zinc-800" data-host={host.name}>
                    <td className="px-4 py-2">
                      <div className="font-mono">{host.name}</div>
                      <div className="text-xs text-zinc-500">
                        {host.sshUser}@{host.address}:{host.sshPort}
                      </div>
                      {host.agentId ? (
                        <div className="font-mono text-xs text-zinc-500" title="The agent's identity: one machine is one host">
                          {host.agentId}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-4 py-2">
                      <HostStatusBadge status={host.status} />
                      {host.statusReason && host.status !== "online" ? <div className="mt-1 max-w-56 text-xs text-zinc-500">{host.statusReason}</div> : null}
                    </td>
                    <td className="px-4 py-2">{host.runtimeType ?? "—"}</td>
                    <td className="px-4 py-2 text-xs">
                      {features
                        .filter(([key]) => host[key])
                        .map(([, label]) => label)
                        .join(", ") || "—"}
                    </td>
                    <td className="px-4 py-2">
                      {host.activeRuns} / {host.capacityRuns}
                    </td>
                    <td className="px-4 py-2 font-mono text-xs">
                      {Object.entries(host.labels as Record<string, string>)
                        .map(([key, value]) => `${key}=${value}`)
                        .join(" ") || "—"}
                    </td>
                    <td className="px-4 py-2 text-zinc-500">{host.lastSeenAt ? host.lastSeenAt.toLocaleString() : "never"}</td>
                    <td className="px-4 py-2">
                      <HostActivityChart hostId={host.id} />
                    </td>
                    <td className="px-4 py-2">
                      <RoleGate atLeast="admin">
                        <div className="flex justify-end gap-2">
                          {host.drainedAt ? (
                            <Button variant="secondary" onClick={() => resume.mutate({ id: host.id })}>
                              Resume
                            </Button>
                          ) : (
                            <Button variant="secondary" onClick={() => drain.mutate({ id: host.id })}>
                              Drain
                            </Button>
                          )}
                          <ConfirmButton label="Remove" title={`Remove ${host.name}?`} confirmLabel="Remove host" onConfirm={() => remove.mutate({ id: host.id })}>
                            Bailey forgets this host (its runs keep their history). A host with active runs is refused: drain it first. The agent stays installed until you run install.sh --uninstall
                            on it.
                          </ConfirmButton>
                        </div>
                      </RoleGate>
                    </td>
                  </tr>
                  <tr className="align-top" data-host-images={host.name}>
                    <td colSpan={9} className="px-4 pb-3">
                      <HostImages images={host.cachedImages} listedAt={host.cachedImagesAt} pulls={(imagePulls.data?.pulls ?? []).filter((pull) => pull.hostId === host.id).slice(0, 5)} />
                    </td>
                  </tr>
                  <tr className="align-top" data-host-pools-row={host.name}>
                    <td colSpan={9} className="px-4 pb-3">
                      <HostPools hostId={host.id} hostName={host.name} pools={(pools.data?.pools ?? []).filter((pool) => pool.hostId === host.id)} />
                    </td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
