import { requestedCapabilities } from "../teams/run-policy";

/** What a run asks of the host it goes to. */
export interface RunNeeds {
  sandbox: "gvisor" | "none";
  dependencies: string[];
  placement: { labels?: Record<string, string> } | null;
  /** Its image is built from a Dockerfile on the host (spec.build). */
  build?: boolean;
  /** It clones a workspace or keeps results (spec.workspace). */
  workspace?: boolean;
}

/** What a host offers: its labels, the features its agent reported, and its BAILEY_ALLOW. */
export interface HostTraits {
  name: string;
  labels: Record<string, string>;
  capacityRuns: number;
  hasNetworks: boolean;
  hasSidecars: boolean;
  hasBuilds: boolean;
  hasRunsc: boolean;
  /** runsc-host-uds is registered: a docker:host run can be sandboxed there (absent: not). */
  hasRunscHostUds?: boolean;
  /** Its agent clones workspaces and collects results (absent: not). */
  hasWorkspaces?: boolean;
  /** The agent's container runtime, once it has said hello. */
  runtimeType?: string | null;
  allowedCapabilities: string[];
}

/**
 * Why `host` can never take `run`, one phrase per unmet need (empty when it fits). Placement
 * and the wait reasons both use it, so a run is explained by the very rules that place it.
 */
export function hostMismatches(run: RunNeeds, host: HostTraits): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(run.placement?.labels ?? {})) {
    const has = host.labels[key];
    if (has !== value) found.push(has === undefined ? `has no label ${key}` : `has ${key}=${has}`);
  }
  if (run.sandbox === "gvisor" && !host.hasRunsc) found.push("has no gVisor (runsc)");
  if (run.dependencies.includes("docker:host") && host.runtimeType === "apple") found.push("has no engine socket for docker:host (Apple's containers are VMs)");
  else if (run.sandbox === "gvisor" && run.dependencies.includes("docker:host") && host.hasRunsc && !host.hasRunscHostUds)
    found.push(
      host.runtimeType === "podman"
        ? "cannot sandbox docker:host (Podman picks no runtime per container; run it with sandbox none)"
        : "has no runsc-host-uds for docker:host under gVisor (bailey-agent doctor on it says what to add; or run it with sandbox none)",
    );
  if (run.dependencies.includes("docker:dind") && !(host.hasNetworks && host.hasSidecars)) found.push("has no networks and sidecars for docker:dind");
  if (run.build && !host.hasBuilds) found.push("cannot build images (its container runtime has no image builds; Docker and Podman hosts can)");
  if (run.workspace && !host.hasWorkspaces)
    found.push("cannot clone workspaces (its agent predates workspaces and results, or has no git; upgrade bailey-agent there, and bailey-agent doctor says what is missing)");
  const refused = requestedCapabilities(run).filter((capability) => !host.allowedCapabilities.includes(capability));
  if (refused.length) {
    const line = `BAILEY_ALLOW=${[...host.allowedCapabilities, ...refused].join(",")}`;
    found.push(
      `does not allow ${refused.join(" or ")} (its BAILEY_ALLOW is ${host.allowedCapabilities.length ? host.allowedCapabilities.join(",") : "empty"}; put ${line} in /etc/bailey/agent.env on it and restart the agent)`,
    );
  }
  if (host.capacityRuns <= 0) found.push("takes no runs (capacity 0)");
  return found;
}

export function hostFits(run: RunNeeds, host: HostTraits): boolean {
  return hostMismatches(run, host).length === 0;
}

/** The run's needs in words: "labels engine=podman with gVisor and docker:dind". */
export function describeNeeds(run: RunNeeds): string {
  const labels = Object.entries(run.placement?.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  const features = [run.sandbox === "gvisor" ? "gVisor" : "sandbox:none", ...run.dependencies, ...(run.build ? ["a build from a Dockerfile"] : []), ...(run.workspace ? ["a workspace"] : [])];
  return `${labels.length ? `labels ${labels.join(",")}` : "a run"} with ${features.join(" and ")}`;
}
