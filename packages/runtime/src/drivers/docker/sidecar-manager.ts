import type { ContainerInfo, SidecarConfig, SidecarManager } from "../../types";
import type { DockerRuntime } from "./runtime";

export class DockerSidecarManager implements SidecarManager {
  constructor(private readonly runtime: DockerRuntime) {}

  async startSidecar(config: SidecarConfig): Promise<ContainerInfo> {
    const image = (await this.runtime.imageExists(config.image)) ? config.image : await this.pull(config.image);
    const id = await this.runtime.createContainer({
      name: config.name,
      image,
      ...(config.command ? { command: config.command } : {}),
      env: config.env ?? {},
      labels: config.labels,
      hostname: config.hostname,
      network: config.network,
      sandbox: config.sandbox,
      privileged: config.privileged === true,
      ...(config.resources ? { resources: config.resources } : {}),
      ...(config.networkAliases ? { networkAliases: config.networkAliases } : {}),
      ...(config.extraNetworks ? { extraNetworks: config.extraNetworks } : {}),
      ...(config.dns ? { dns: config.dns } : {}),
      ...(config.extraHosts ? { extraHosts: config.extraHosts } : {}),
      ...(config.sysctls ? { sysctls: config.sysctls } : {}),
    });
    try {
      await this.runtime.startContainer(id);
      return await this.runtime.inspectContainer(id);
    } catch (error) {
      await this.runtime.removeContainer(id).catch(() => undefined);
      throw error;
    }
  }

  inspectSidecar(id: string): Promise<ContainerInfo> {
    return this.runtime.inspectContainer(id);
  }

  /** Resolves with the name the engine now has it under (qualified: Podman may not find a short name). */
  private async pull(image: string): Promise<string> {
    try {
      return (await this.runtime.pullImage(image)).reference;
    } catch (error) {
      throw new Error(
        `Sidecar image ${image} is not on this host and could not be pulled (${(error as Error).message}) ` +
          `Load it onto the host (docker load -i image.tar) or point BAILEY_BUILDKIT_IMAGE at an image the host has.`,
      );
    }
  }
}
