import type Docker from "dockerode";
import { UnsupportedFeatureError } from "../../errors";
import type { NetworkInfo, NetworkManager } from "../../types";
import { isConflict, isNotFound } from "./engine-errors";
import { engineRequest } from "./engine-request";
import { labelFilters } from "./labels";

export class DockerNetworkManager implements NetworkManager {
  /** Podman: check that the network resolves container names (a sidecar as `buildkit`). */
  constructor(
    private readonly engine: Docker,
    private readonly checkPodmanNameResolution = false,
  ) {}

  async createNetwork(name: string, labels: Record<string, string>): Promise<NetworkInfo> {
    const network = await this.createOrFindOwn(name, labels);
    if (this.checkPodmanNameResolution && !(await this.podmanResolvesNames(name))) {
      await this.removeNetwork(name);
      throw new UnsupportedFeatureError(
        "networks",
        "podman",
        "Podman on this host makes networks without name resolution, so a run could not reach its sidecar by name. " +
          "Install the DNS plugin of Podman's network backend (Debian/Ubuntu with CNI: apt-get install golang-github-containernetworking-plugin-dnsname; with netavark: aardvark-dns), or use Docker on this host.",
      );
    }
    return network;
  }

  private async createOrFindOwn(name: string, labels: Record<string, string>): Promise<NetworkInfo> {
    try {
      const network = await this.engine.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true });
      return { id: network.id, name };
    } catch (error) {
      // A retried create finds the network it made before: the same labels mean it is ours.
      if (isConflict(error)) {
        const existing = (await this.engine.getNetwork(name).inspect()) as { Id: string; Labels?: Record<string, string> };
        const ours = Object.entries(labels).every(([key, value]) => existing.Labels?.[key] === value);
        if (ours) return { id: existing.Id, name };
        throw new Error(`A network named ${name} already exists and was not created by this run.`);
      }
      throw error;
    }
  }

  /** Podman's own API tells whether a network has DNS; its Docker-compatible API does not. */
  private async podmanResolvesNames(name: string): Promise<boolean> {
    const inspected = await engineRequest<{ dns_enabled?: boolean }>(this.engine, { path: `/v4.0.0/libpod/networks/${encodeURIComponent(name)}/json`, notFound: "no such network" });
    return inspected.dns_enabled !== false;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.engine
      .getNetwork(idOrName)
      .remove()
      .catch((error: unknown) => {
        if (isNotFound(error)) return;
        throw error;
      });
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const rows = await this.engine.listNetworks({ filters: { label: labelFilters(labels) } });
    return rows.map((row) => ({ id: row.Id, name: row.Name }));
  }
}
