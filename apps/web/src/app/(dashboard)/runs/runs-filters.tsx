"use client";

import type { RunState } from "@bailey/db";
import { useQuery } from "@tanstack/react-query";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { useTRPC } from "~/trpc/client";

export const runStates = ["queued", "scheduled", "provisioning", "running", "stopping", "succeeded", "failed", "timed_out", "cancelled", "lost"] as const satisfies readonly RunState[];

// A state added to the schema fails the typecheck here until the filter offers it.
const everyStateOffered: Exclude<RunState, (typeof runStates)[number]> extends never ? true : never = true;
void everyStateOffered;

export interface RunFilters {
  state?: (typeof runStates)[number];
  hostId?: string;
  createdById?: string;
  text: string;
}

export function RunsFilters({ value, onChange }: { value: RunFilters; onChange: (next: RunFilters) => void }) {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const members = useQuery(trpc.team.members.queryOptions());
  return (
    <div className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter runs">
      <label className="space-y-1 text-sm">
        <span className="block text-zinc-500 dark:text-zinc-400">State</span>
        <Select aria-label="State" value={value.state ?? ""} onChange={(event) => onChange({ ...value, state: (event.target.value || undefined) as RunFilters["state"] })}>
          <option value="">Any state</option>
          {runStates.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </Select>
      </label>
      <label className="space-y-1 text-sm">
        <span className="block text-zinc-500 dark:text-zinc-400">Host</span>
        <Select aria-label="Host" value={value.hostId ?? ""} onChange={(event) => onChange({ ...value, hostId: event.target.value || undefined })}>
          <option value="">Any host</option>
          {(hosts.data?.hosts ?? []).map((host) => (
            <option key={host.id} value={host.id}>
              {host.name}
            </option>
          ))}
        </Select>
      </label>
      <label className="space-y-1 text-sm">
        <span className="block text-zinc-500 dark:text-zinc-400">Creator</span>
        <Select aria-label="Creator" value={value.createdById ?? ""} onChange={(event) => onChange({ ...value, createdById: event.target.value || undefined })}>
          <option value="">Anyone</option>
          {(members.data ?? []).map((member) => (
            <option key={member.user.id} value={member.user.id}>
              {member.isYou ? `${member.user.email} (you)` : member.user.email}
            </option>
          ))}
        </Select>
      </label>
      <label className="min-w-48 flex-1 space-y-1 text-sm">
        <span className="block text-zinc-500 dark:text-zinc-400">Search</span>
        <Input type="search" aria-label="Search runs" placeholder="Name, image or run id" value={value.text} onChange={(event) => onChange({ ...value, text: event.target.value })} />
      </label>
    </div>
  );
}
