import type Docker from "dockerode";
import { UnsupportedFeatureError } from "../../errors";
import type { NetworkInfo, NetworkManager, NetworkOptions } from "../../types";
import { engineMessage, isConflict, isNotFound, statusOf } from "./engine-errors";
import { engineRequest } from "./engine-request";
import { labelFilters } from "./labels";
import { type Cidr, formatCidr, freeSubnets, hostRoutes, parseCidr, parseRunSubnetPool, defaultRunSubnets, type RunSubnetPool } from "./run-subnets";

/**
 * Every network made here is a run's own bridge, cut off from every other run's. Docker does that
 * for any two bridge networks (its DOCKER-ISOLATION chains); Podman only for networks made with
 * its `isolate` option, which is asked for and checked.
 */
export class DockerNetworkManager implements NetworkManager {
  /** One fallback allocation at a time in this process: two would pick the same free subnet. */
  private allocating: Promise<unknown> = Promise.resolve();

  /**
   * Podman: ask for isolation, and check that the network isolates and resolves container names (a sidecar as `buildkit`).
   * `subnets`: where run networks go once the engine's own pools are used up (null: nowhere, the engine's refusal stands).
   */
  constructor(
    private readonly engine: Docker,
    private readonly podman = false,
    private readonly subnets: RunSubnetPool | null = parseRunSubnetPool(defaultRunSubnets) as RunSubnetPool,
  ) {}

  async createNetwork(name: string, labels: Record<string, string>, options: NetworkOptions = {}): Promise<NetworkInfo> {
    const internal = options.internal === true;
    const network = await this.createOrFindOwn(name, labels, internal);
    if (!this.podman) return network;
    const inspected = await this.podmanInspect(name);
    if (internal && inspected.internal !== true) {
      await this.removeNetwork(name);
      throw new UnsupportedFeatureError(
        "networks",
        "podman",
        `Podman on this host made network ${name} with a way out although it was asked for an internal one, so a strict run could bypass its proxy. Use a Podman whose compat API honours Internal (4.3 does), or use Docker on this host.`,
      );
    }
    // Podman's CNI turns name resolution off on internal networks (dnsname refuses them): a strict
    // run reaches its proxy through ExtraHosts instead.
    if (!internal && inspected.dns_enabled === false) {
      await this.removeNetwork(name);
      throw new UnsupportedFeatureError(
        "networks",
        "podman",
        "Podman on this host makes networks without name resolution, so a run could not reach its sidecar by name. " +
          "Install the DNS plugin of Podman's network backend (Debian/Ubuntu with CNI: apt-get install golang-github-containernetworking-plugin-dnsname; with netavark: aardvark-dns), or use Docker on this host.",
      );
    }
    if (inspected.options?.isolate !== "true") {
      await this.removeNetwork(name);
      throw new UnsupportedFeatureError(
        "networks",
        "podman",
        `Podman on this host made network ${name} without isolation, so a run could reach other runs. Use a Podman whose networks take the isolate option (4.3 with CNI plugins 1.1, or netavark, does), or use Docker on this host.`,
      );
    }
    return network;
  }

  private async createOrFindOwn(name: string, labels: Record<string, string>, internal: boolean): Promise<NetworkInfo> {
    try {
      return await this.createOnce(name, labels, internal);
    } catch (error) {
      if (isPoolExhausted(error) && this.subnets) return this.createInOwnSubnet(name, labels, internal, this.subnets, error);
      return this.existingOrThrow(name, labels, internal, error);
    }
  }

  private async createOnce(name: string, labels: Record<string, string>, internal: boolean, subnet?: Cidr): Promise<NetworkInfo> {
    const network = await this.engine.createNetwork({
      Name: name,
      Driver: "bridge",
      Labels: labels,
      CheckDuplicate: true,
      ...(internal ? { Internal: true } : {}),
      ...(this.podman ? { Options: { isolate: "true" } } : {}),
      ...(subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: formatCidr(subnet) }] } } : {}),
    });
    return { id: network.id, name };
  }

  /** The engine's pools are used up: a subnet from the agent's own range that no network or host route uses. */
  private createInOwnSubnet(name: string, labels: Record<string, string>, internal: boolean, pool: RunSubnetPool, exhausted: unknown): Promise<NetworkInfo> {
    const attempt = this.allocating.then(async () => {
      const used = [...(await this.subnetsInUse()), ...hostRoutes()];
      let tried = 0;
      for (const subnet of freeSubnets(pool, used)) {
        // Another engine client (a second agent, a person) may take a subnet between the list and the create.
        if (++tried > 64) break;
        try {
          return await this.createOnce(name, labels, internal, subnet);
        } catch (error) {
          if (isOverlap(error)) continue;
          return this.existingOrThrow(name, labels, internal, error);
        }
      }
      throw new Error(
        `The engine has no free subnet left for network ${name} (every run gets its own): ${engineMessage(exhausted)}, and BAILEY_RUN_SUBNETS (${formatCidr(pool.base)}) has no /${pool.prefix} left either. ` +
          'Give the agent a larger range (BAILEY_RUN_SUBNETS=10.0.0.0/12) or the engine larger pools, e.g. in /etc/docker/daemon.json: {"default-address-pools":[{"base":"10.200.0.0/16","size":24}]}, then restart it.',
      );
    });
    this.allocating = attempt.catch(() => undefined);
    return attempt;
  }

  private async subnetsInUse(): Promise<Cidr[]> {
    const networks = (await this.engine.listNetworks()) as { IPAM?: { Config?: { Subnet?: string }[] | null } }[];
    return networks.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => parseCidr(config.Subnet ?? "")).filter((cidr): cidr is Cidr => typeof cidr !== "string"));
  }

  /** A create the engine refused: a retried create finds the network it made before (the same labels mean it is ours). */
  private async existingOrThrow(name: string, labels: Record<string, string>, internal: boolean, error: unknown): Promise<NetworkInfo> {
    if (isConflict(error)) {
      const existing = await this.ownership(name);
      const ours = Object.entries(labels).every(([key, value]) => existing.labels[key] === value);
      if (ours && existing.internal !== internal) {
        throw new Error(
          `Network ${name} already exists ${existing.internal ? "internal" : "with a way out"}, not ${internal ? "internal" : "with a way out"} as asked: remove it (docker network rm ${name}) and try again.`,
        );
      }
      if (ours) return { id: existing.id, name };
      throw new Error(`A network named ${name} already exists and was not created by this run.`);
    }
    if (isPoolExhausted(error)) {
      throw new Error(
        `The engine has no free subnet left for network ${name} (every run gets its own): ${engineMessage(error)}. ` +
          'Give it larger address pools, e.g. in /etc/docker/daemon.json: {"default-address-pools":[{"base":"10.200.0.0/16","size":24}]} (256 networks), then restart the engine; or let the agent allocate from a range of its own (BAILEY_RUN_SUBNETS=10.213.0.0/16).',
      );
    }
    throw error;
  }

  /**
   * Podman 4.3's compat inspect drops `isolate` from the service's copy of the network (the
   * network on disk keeps it), so Podman's networks are only ever inspected through libpod.
   */
  private async ownership(name: string): Promise<{ id: string; labels: Record<string, string>; internal: boolean }> {
    if (this.podman) {
      const inspected = await engineRequest<{ id: string; labels?: Record<string, string>; internal?: boolean }>(this.engine, {
        path: `/v4.0.0/libpod/networks/${encodeURIComponent(name)}/json`,
        notFound: "no such network",
      });
      return { id: inspected.id, labels: inspected.labels ?? {}, internal: inspected.internal === true };
    }
    const inspected = (await this.engine.getNetwork(name).inspect()) as { Id: string; Labels?: Record<string, string>; Internal?: boolean };
    return { id: inspected.Id, labels: inspected.Labels ?? {}, internal: inspected.Internal === true };
  }

  /** Podman's own API tells whether a network has DNS and isolation; its Docker-compatible API does not. */
  private podmanInspect(name: string): Promise<{ dns_enabled?: boolean; internal?: boolean; options?: Record<string, string> }> {
    return engineRequest(this.engine, { path: `/v4.0.0/libpod/networks/${encodeURIComponent(name)}/json`, notFound: "no such network" });
  }

  async connectNetwork(network: string, containerId: string, options: { aliases?: string[] } = {}): Promise<void> {
    // Docker 20.10 accepts a created container's join to a network it does not have (it might be
    // a swarm one) and fails only at start; asking first gives the error here.
    await this.engine
      .getNetwork(network)
      .inspect()
      .catch((error: unknown) => {
        if (isNotFound(error)) throw new Error(`Cannot join container ${containerId} to network ${network}: there is no such network. Create it first (or check its name).`);
        throw error;
      });
    try {
      await this.engine.getNetwork(network).connect({ Container: containerId, ...(options.aliases?.length ? { EndpointConfig: { Aliases: options.aliases } } : {}) });
    } catch (error) {
      // A retried connect: Docker 403 "already exists in network", Podman 500 "already connected".
      if (/already (exists in network|connected)/i.test(engineMessage(error))) return;
      if (isNotFound(error)) throw new Error(`Cannot join container ${containerId} to network ${network}: ${engineMessage(error)}. Create the network first (or check its name).`);
      throw error;
    }
  }

  async removeNetwork(idOrName: string): Promise<void> {
    try {
      await this.removeOnce(idOrName);
    } catch (error) {
      if (!isInUse(error)) throw error;
      // Podman keeps a stopped container (a run's exited main, kept for its logs) on its network
      // and refuses the removal; disconnected, the container keeps its logs.
      await this.disconnectAll(idOrName);
      // A container being removed (a forced removal elsewhere, e.g. reconcile's) leaves the
      // network only when its removal finishes: wait for that rather than fail.
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.removeOnce(idOrName);
        } catch (retryError) {
          if (!isInUse(retryError) || attempt >= 20) throw retryError;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  }

  private async removeOnce(idOrName: string): Promise<void> {
    await this.engine
      .getNetwork(idOrName)
      .remove()
      .catch((error: unknown) => {
        if (isNotFound(error)) return;
        throw error;
      });
  }

  private async disconnectAll(idOrName: string): Promise<void> {
    const network = this.engine.getNetwork(idOrName);
    const inspected = (await network.inspect()) as { Containers?: Record<string, unknown> };
    for (const container of Object.keys(inspected.Containers ?? {})) {
      await network.disconnect({ Container: container, Force: true }).catch((error: unknown) => {
        // Gone, or on its way out (Docker: 500 "is marked for removal"): it leaves the network itself.
        if (isNotFound(error) || isBeingRemoved(error)) return;
        throw error;
      });
    }
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const rows = await this.engine.listNetworks({ filters: { label: labelFilters(labels) } });
    return rows.map((row) => ({ id: row.Id, name: row.Name }));
  }
}

function isPoolExhausted(error: unknown): boolean {
  return /address pool|non-overlapping/i.test(engineMessage(error));
}

/** Docker: "Pool overlaps with other one on this address space"; Podman: "subnet ... is already used". */
function isOverlap(error: unknown): boolean {
  return /overlaps|already used|already in use on the host/i.test(engineMessage(error));
}

function isBeingRemoved(error: unknown): boolean {
  return statusOf(error) === 500 && /marked for removal|removal .* in progress/i.test(engineMessage(error));
}

/** Docker: 403 "has active endpoints"; Podman: 500 "network is being used". */
function isInUse(error: unknown): boolean {
  return statusOf(error) === 403 || (statusOf(error) === 500 && /being used|active endpoints|associated containers/i.test(engineMessage(error)));
}
