import type { Readable } from "node:stream";
import Docker from "dockerode";
import { ContainerNotFoundError, hostUdsRuntime, SandboxedEngineSocketError, SandboxUnavailableError, UnsupportedFeatureError } from "../../errors";
import { hardenedHostConfig, toEnvList } from "../../hardening";
import type {
  BuildManager,
  ContainerInfo,
  ContainerSpec,
  ContainerSummary,
  ExecOptions,
  ExecResult,
  ImageDetails,
  ImageImportOptions,
  InteractiveManager,
  LogChunk,
  LogLimits,
  LogOptions,
  NetworkManager,
  PullOptions,
  PullResult,
  Runtime,
  Sandbox,
  SidecarManager,
} from "../../types";
import { DockerBuildManager } from "./build-manager";
import { toContainerInfo, toContainerStatus } from "./container-info";
import { engineMessage, isConflict, isNotFound, statusOf } from "./engine-errors";
import { engineRequest } from "./engine-request";
import { followAcrossRotations } from "./follow-logs";
import { importImage } from "./image-import";
import { pullImage } from "./image-pull";
import { imageExists, inspectImage, listImages } from "./images";
import { DockerInteractiveManager } from "./interactive";
import { labelFilters } from "./labels";
import { collect, demultiplex, rawToChunks } from "./log-demux";
import { DockerNetworkManager } from "./network-manager";
import type { RunSubnetPool } from "./run-subnets";
import { DockerSidecarManager } from "./sidecar-manager";

/** What differs between engines that speak the Docker API; see drivers/podman.ts. */
export interface EngineProfile {
  type: "docker" | "podman";
  /** Podman here starts containers only with explicit nofile/nproc limits. */
  explicitUlimits: boolean;
  networks: boolean;
  sidecars: boolean;
  builds: boolean;
  /**
   * `per-container`: HostConfig.Runtime selects runsc (Docker).
   * `engine-default`: the engine ignores HostConfig.Runtime, so a sandbox is only real
   * when runsc is the engine's default runtime (Podman's compat API).
   */
  sandboxSelection: "per-container" | "engine-default";
  /** The rotating file log driver: Podman calls its own `k8s-file` (one file, truncated at max-size). */
  logDriver: "json-file" | "k8s-file";
}

export const dockerProfile: EngineProfile = {
  type: "docker",
  explicitUlimits: false,
  networks: true,
  sidecars: true,
  builds: true,
  sandboxSelection: "per-container",
  logDriver: "json-file",
};

export interface DockerRuntimeOptions {
  /** The engine's socket: the agent's connection, and what docker:host containers get. */
  socketPath: string;
  profile?: EngineProfile;
  /** The name runsc is registered under with the engine. */
  sandboxRuntime?: string;
  /** The name of the runsc that may open host Unix sockets (docker:host under gVisor); runsc-host-uds unless set. */
  hostUdsRuntime?: string;
  /** Caps on every container's log on disk; defaultLogLimits when unset. */
  logLimits?: LogLimits;
  /** Where run networks go once the engine's address pools are used up (BAILEY_RUN_SUBNETS; null: off). */
  runSubnets?: RunSubnetPool | null;
  log?: (line: string) => void;
}

export class DockerRuntime implements Runtime {
  readonly type: "docker" | "podman";
  readonly engine: Docker;
  private readonly profile: EngineProfile;
  private readonly sandboxRuntime: string;
  private readonly hostUdsRuntime: string;
  private engineInfoCache?: { at: number; info: Promise<EngineRuntimes | null> };
  private readonly networks: NetworkManager | null;
  private readonly sidecars: SidecarManager | null;
  private readonly builds: BuildManager | null;
  private readonly interactive: InteractiveManager;

  constructor(readonly options: DockerRuntimeOptions) {
    this.profile = options.profile ?? dockerProfile;
    this.type = this.profile.type;
    this.sandboxRuntime = options.sandboxRuntime ?? "runsc";
    this.hostUdsRuntime = options.hostUdsRuntime ?? hostUdsRuntime;
    this.engine = new Docker({ socketPath: options.socketPath });
    this.networks = this.profile.networks ? new DockerNetworkManager(this.engine, this.profile.type === "podman", options.runSubnets) : null;
    this.sidecars = this.profile.sidecars ? new DockerSidecarManager(this) : null;
    this.builds = this.profile.builds ? new DockerBuildManager(this.engine, options.log) : null;
    this.interactive = new DockerInteractiveManager(this.engine);
  }

  async ping(): Promise<void> {
    await this.engine.ping();
  }

  /** Engine info is cached briefly: a runtime registered later is seen within a minute. */
  private engineRuntimes(): Promise<EngineRuntimes | null> {
    if (!this.engineInfoCache || Date.now() - this.engineInfoCache.at > 60_000) {
      const info = this.engine.info().then(
        (answer: EngineRuntimes) => answer,
        () => null,
      );
      this.engineInfoCache = { at: Date.now(), info };
    }
    return this.engineInfoCache.info;
  }

  async sandboxAvailable(): Promise<boolean> {
    const info = await this.engineRuntimes();
    return this.profile.sandboxSelection === "engine-default" ? info?.DefaultRuntime === this.sandboxRuntime : Boolean(info?.Runtimes?.[this.sandboxRuntime]);
  }

  /** Podman cannot pick a runtime per container, so only Docker can sandbox docker:host runs (see drivers/podman.ts). */
  async sandboxedEngineSocketAvailable(): Promise<boolean> {
    if (this.profile.sandboxSelection !== "per-container") return false;
    return Boolean((await this.engineRuntimes())?.Runtimes?.[this.hostUdsRuntime]);
  }

  async engineSocketFor(sandbox: Sandbox): Promise<string> {
    if (sandbox === "gvisor") {
      // Podman could only give it a runsc that opens host sockets for every sandboxed container.
      if (this.profile.sandboxSelection !== "per-container") throw new SandboxedEngineSocketError(this.type);
      if (!(await this.sandboxAvailable())) throw new SandboxUnavailableError(this.type);
      if (!(await this.sandboxedEngineSocketAvailable())) throw new SandboxedEngineSocketError(this.type, await this.hostUdsRegistration(), this.hostUdsRuntime);
    }
    return this.options.socketPath;
  }

  /** The daemon.json entry for the host-socket runsc: runsc's own entry here, plus --host-uds=open. */
  private async hostUdsRegistration(): Promise<string> {
    const runsc = (await this.engineRuntimes())?.Runtimes?.[this.sandboxRuntime];
    const args = (runsc?.runtimeArgs ?? []).filter((arg) => !arg.startsWith("--host-uds"));
    return `"${this.hostUdsRuntime}": ${JSON.stringify({ path: runsc?.path ?? "/usr/bin/runsc", runtimeArgs: [...args, "--host-uds=open"] })}`;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const engineSocket = spec.mountEngineSocket ? await this.engineSocketFor(spec.sandbox) : undefined;
    if (spec.sandbox === "gvisor" && !(await this.sandboxAvailable())) throw new SandboxUnavailableError(this.type);
    if (spec.extraNetworks?.length && !spec.network) throw new Error(`Container ${spec.name}: extraNetworks are joined in addition to network; set network too.`);
    if (spec.networkAliases?.length && !spec.network) throw new Error(`Container ${spec.name}: networkAliases apply on network; set network too.`);
    const networks = this.networks;
    if (spec.extraNetworks?.length && !networks?.connectNetwork)
      throw new UnsupportedFeatureError("networks", this.type, `${this.type} has no network manager here, so ${spec.name} cannot join ${spec.extraNetworks.join(", ")}.`);
    const id = await this.createOnFirstNetwork(spec, engineSocket);
    try {
      // Docker 20.10 takes one network at create; the others are joined before start.
      for (const network of spec.extraNetworks ?? []) await networks?.connectNetwork?.(network, id);
    } catch (error) {
      await this.removeContainer(id).catch(() => undefined);
      throw error;
    }
    return id;
  }

  private async createOnFirstNetwork(spec: ContainerSpec, engineSocket: string | undefined): Promise<string> {
    const aliases = [...(spec.hostname ? [spec.hostname] : []), ...(spec.networkAliases ?? [])];
    try {
      const container = await this.engine.createContainer({
        name: spec.name,
        Image: spec.image,
        ...(spec.command ? { Cmd: spec.command } : {}),
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        Env: toEnvList(spec.env),
        Labels: spec.labels,
        ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
        ...(spec.hostname ? { Hostname: spec.hostname } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        Tty: spec.tty === true,
        // Open for attaches to come, and not closed when the first one ends (`docker run -it` without the run's own attach).
        ...(spec.openStdin ? { OpenStdin: true, StdinOnce: false } : {}),
        HostConfig: hardenedHostConfig(spec, {
          sandboxRuntime: this.profile.sandboxSelection === "per-container" ? this.sandboxRuntime : undefined,
          hostUdsRuntime: this.profile.sandboxSelection === "per-container" ? this.hostUdsRuntime : undefined,
          ...(engineSocket ? { engineSocket } : {}),
          explicitUlimits: this.profile.explicitUlimits,
          logDriver: this.profile.logDriver,
          ...(this.options.logLimits ? { logLimits: this.options.logLimits } : {}),
        }),
        ...(spec.network ? { NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: aliases } } } } : {}),
      });
      return container.id;
    } catch (error) {
      if (isNotFound(error)) {
        throw new Error(`Image ${spec.image} is not on this host and cannot be created from: pull it (pullImage), build it or load it (docker load -i image.tar) first. (${engineMessage(error)})`);
      }
      if (isConflict(error)) throw new Error(`A container named ${spec.name} already exists. (${engineMessage(error)})`);
      throw error;
    }
  }

  async startContainer(id: string): Promise<void> {
    await this.engine
      .getContainer(id)
      .start()
      .catch((error: unknown) => (statusOf(error) === 304 ? undefined : translate(id, error)));
  }

  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.engine
      .getContainer(id)
      .stop({ t: graceSeconds })
      .catch((error: unknown) => (statusOf(error) === 304 ? undefined : translate(id, error)));
  }

  async waitContainer(id: string): Promise<number> {
    try {
      const result = (await this.engine.getContainer(id).wait()) as { StatusCode: number };
      return result.StatusCode;
    } catch (error) {
      return translate(id, error);
    }
  }

  async removeContainer(id: string): Promise<void> {
    await this.engine
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((error: unknown) => {
        // Absent, or already on its way out: either way it is gone.
        if (isNotFound(error) || statusOf(error) === 409) return;
        throw error;
      });
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    try {
      return toContainerInfo(await this.engine.getContainer(id).inspect());
    } catch (error) {
      return translate(id, error);
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const rows = await this.engine.listContainers({ all: true, filters: { label: labelFilters(labels) } });
    return rows.map((row) => ({
      id: row.Id,
      name: (row.Names[0] ?? "").replace(/^\//, ""),
      status: toContainerStatus(row.State),
      labels: row.Labels ?? {},
    }));
  }

  async exec(id: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const tty = options.tty === true;
    try {
      const exec = await this.engine.getContainer(id).exec({
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        Env: toEnvList(options.env),
        ...(options.workdir ? { WorkingDir: options.workdir } : {}),
        ...(options.user ? { User: options.user } : {}),
      });
      const stream = (await exec.start({ hijack: true, stdin: false, Tty: tty })) as Readable;
      const { stdout, stderr } = await collect(tty ? rawToChunks(stream) : demultiplex(stream));
      const { ExitCode } = await exec.inspect();
      return { exitCode: ExitCode ?? -1, stdout, stderr };
    } catch (error) {
      return translate(id, error);
    }
  }

  async logs(id: string, options: LogOptions = {}): Promise<Readable & AsyncIterable<LogChunk>> {
    const container = this.engine.getContainer(id);
    const info = await container.inspect().catch((error: unknown) => translate(id, error));
    const base = {
      stdout: true,
      stderr: true,
      ...(options.since ? { since: Math.floor(options.since.getTime() / 1000) } : {}),
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
    };
    // Streamed even without follow: dockerode would read a whole finished log into memory
    // first (100 MiB of output cost the agent 800 MiB of heap).
    const open = (query: Record<string, unknown>) =>
      engineRequest<Readable>(this.engine, { path: `/containers/${encodeURIComponent(id)}/logs?`, isStream: true, options: query, notFound: "no such container" }).catch((error: unknown) =>
        translate(id, error),
      );
    if (options.follow && !info.Config.Tty) {
      return followAcrossRotations({
        ...(options.after ? { after: options.after } : {}),
        open: (resumeSince) => open(resumeSince ? { stdout: true, stderr: true, since: resumeSince, follow: true, timestamps: true } : { ...base, follow: true, timestamps: true }),
        running: async () => (await container.inspect().catch((error: unknown) => translate(id, error))).State.Running === true,
      });
    }
    const source = await open({ ...base, follow: Boolean(options.follow) });
    return info.Config.Tty ? rawToChunks(source) : demultiplex(source);
  }

  imageExists(image: string): Promise<boolean> {
    return imageExists(this.engine, image);
  }

  pullImage(reference: string, options?: PullOptions): Promise<PullResult> {
    return pullImage(this.engine, reference, options);
  }

  inspectImage(reference: string): Promise<ImageDetails | null> {
    return inspectImage(this.engine, reference);
  }

  listImages(): Promise<ImageDetails[]> {
    return listImages(this.engine);
  }

  importImage(tarball: NodeJS.ReadableStream, reference: string, options?: ImageImportOptions): Promise<void> {
    return importImage(this.engine, tarball, reference, options);
  }

  networkManager(): NetworkManager | null {
    return this.networks;
  }

  sidecarManager(): SidecarManager | null {
    return this.sidecars;
  }

  buildManager(): BuildManager | null {
    return this.builds;
  }

  interactiveManager(): InteractiveManager | null {
    return this.interactive;
  }

  async close(): Promise<void> {
    // dockerode keeps no long-lived connection of its own.
  }
}

/** What the engine's info says of its OCI runtimes. */
interface EngineRuntimes {
  Runtimes?: Record<string, { path?: string; runtimeArgs?: string[] }>;
  DefaultRuntime?: string;
}

function translate(id: string, error: unknown): never {
  if (isNotFound(error)) throw new ContainerNotFoundError(id);
  throw error;
}
