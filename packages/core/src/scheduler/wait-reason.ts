import { describeNeeds, type HostTraits, hostMismatches, type RunNeeds } from "./host-fit";

export interface TeamHost extends HostTraits {
  status: "pending" | "online" | "offline" | "draining" | "key_mismatch";
  /** Runs placed on it and not finished. */
  active: number;
}

export interface WaitVerdict {
  reason: string;
  /** No host of the team, online or not, could ever take it: it fails after the team's unplaceableTimeoutSeconds. */
  unplaceable: boolean;
}

/** Long lists help nobody: the first few hosts are named, the rest counted. */
const namedHosts = 5;

const statusWords: Record<Exclude<TeamHost["status"], "online">, string> = {
  pending: "not enrolled yet",
  offline: "offline",
  draining: "draining",
  key_mismatch: "refused (its host key or agent identity does not match)",
};

/**
 * Why a queued run is not placed, from the team's hosts (removed ones excluded). Waiting for
 * capacity or for a host to come back is not unplaceable; only "no host could ever" is.
 */
export function waitVerdict(run: RunNeeds, hosts: TeamHost[]): WaitVerdict {
  if (!hosts.length) return { reason: "no hosts in this team: register one on the Hosts page", unplaceable: true };
  const sorted = [...hosts].sort((a, b) => Number(b.status === "online") - Number(a.status === "online") || a.name.localeCompare(b.name));
  const judged = sorted.map((host) => ({ host, mismatches: hostMismatches(run, host) }));
  const fitting = judged.filter(({ mismatches }) => !mismatches.length).map(({ host }) => host);
  const online = fitting.filter((host) => host.status === "online");
  const away = fitting.filter((host) => host.status !== "online").map((host) => `${host.name} matches but is ${statusWords[host.status as keyof typeof statusWords]}`);

  if (online.length) {
    const free = online.filter((host) => host.active < host.capacityRuns);
    if (free.length) {
      const room = free.length === 1 ? `host ${free[0]!.name} has room` : `${free.length} matching hosts have room`;
      return { reason: `waiting for its turn: ${room} and older runs go first`, unplaceable: false };
    }
    const active = online.reduce((sum, host) => sum + host.active, 0);
    const capacity = online.reduce((sum, host) => sum + host.capacityRuns, 0);
    const full = online.length === 1 ? `the only matching host, ${online[0]!.name}, is full (${active}/${capacity})` : `all ${online.length} matching hosts are full (${active}/${capacity})`;
    return { reason: listed(full, away), unplaceable: false };
  }
  const misfits = judged
    .filter(({ mismatches }) => mismatches.length)
    .map(({ host, mismatches }) => `${host.name}${host.status === "online" ? "" : ` (${statusWords[host.status]})`} ${mismatches.join(", ")}`);
  if (fitting.length) return { reason: listed(`no online host matches ${describeNeeds(run)}`, [...away, ...misfits]), unplaceable: false };
  return { reason: listed(`no host matches ${describeNeeds(run)}`, misfits), unplaceable: true };
}

function listed(head: string, details: string[]): string {
  if (!details.length) return head;
  const shown = details.slice(0, namedHosts).join("; ");
  const more = details.length - namedHosts;
  return `${head}: ${shown}${more > 0 ? `; and ${more} more host${more === 1 ? "" : "s"}` : ""}`;
}
