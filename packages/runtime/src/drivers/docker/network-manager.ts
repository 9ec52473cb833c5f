import type Docker from "dockerode";
import type { NetworkInfo, NetworkManager } from "../../types";
import { isConflict, isNotFound } from "./engine-errors";
import { labelFilters } from "./labels";

export class DockerNetworkManager implements NetworkManager {
  constructor(private readonly engine: Docker) {}

  async createNetwork(name: string, labels: Record<string, string>): Promise<NetworkInfo> {
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
