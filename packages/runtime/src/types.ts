import type { Readable } from "node:stream";

export type RuntimeType = "docker" | "podman" | "apple" | "mock";
export type Sandbox = "gvisor" | "none";

export interface ResourceLimits {
  /** Fractional CPUs, e.g. 1.5. */
  cpus?: number;
  memoryBytes?: number;
  pids?: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  labels: Record<string, string>;
  workdir?: string;
  hostname?: string;
  /** `gvisor` (the default) runs under runsc; `none` under the engine's default runtime. */
  sandbox: Sandbox;
  resources?: ResourceLimits;
  /** Network to attach to at creation (a per-run network for docker:dind). */
  network?: string;
  /** Only for `docker:host`: mount the engine's socket into the container. */
  mountEngineSocket?: boolean;
  /** Only for `docker:dind`. */
  privileged?: boolean;
  tty?: boolean;
}

export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "exited" | "dead" | "removing" | "unknown";

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  status: ContainerStatus;
  running: boolean;
  exitCode: number | null;
  labels: Record<string, string>;
  /** The OCI runtime the engine used (`runsc`, `runc`, ...), where the backend reports it. */
  ociRuntime: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  networks: string[];
}

export interface ContainerSummary {
  id: string;
  name: string;
  status: ContainerStatus;
  labels: Record<string, string>;
}

export interface ExecOptions {
  tty?: boolean;
  env?: Record<string, string>;
  workdir?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Only lines written at or after this time. */
  since?: Date;
  tail?: number;
}

export interface LogChunk {
  stream: "stdout" | "stderr";
  data: Buffer;
}

export interface NetworkInfo {
  id: string;
  name: string;
}

export interface NetworkManager {
  createNetwork(name: string, labels: Record<string, string>): Promise<NetworkInfo>;
  /** Absent is not an error: removal is best effort and idempotent. */
  removeNetwork(idOrName: string): Promise<void>;
  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
}

export interface SidecarConfig {
  name: string;
  image: string;
  network: string;
  hostname: string;
  labels: Record<string, string>;
  sandbox: Sandbox;
  command?: string[];
  env?: Record<string, string>;
  privileged?: boolean;
  resources?: ResourceLimits;
}

export interface SidecarManager {
  /** Pulls the image only if missing, creates it on the network with its hostname, starts it; removes what it made if a step fails. */
  startSidecar(config: SidecarConfig): Promise<ContainerInfo>;
  inspectSidecar(id: string): Promise<ContainerInfo>;
}

export interface BuildOptions {
  /** A directory: the build context, holding the Dockerfile unless `dockerfile` names another path in it. */
  contextDir: string;
  dockerfile?: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** A BuildKit endpoint (a run's sidecar, or BUILDKIT_HOST), tried first. */
  buildkitHost?: string;
  log?: (line: string) => void;
}

export interface BuildResult {
  tag: string;
  builder: "buildkit-endpoint" | "engine-buildkit" | "legacy";
}

export interface BuildManager {
  buildImage(options: BuildOptions): Promise<BuildResult>;
  imageExists(tag: string): Promise<boolean>;
}

export interface Runtime {
  readonly type: RuntimeType;
  ping(): Promise<void>;
  /** Whether sandboxed (gVisor) containers can be created here. */
  sandboxAvailable(): Promise<boolean>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period. Stopping a stopped container is fine. */
  stopContainer(id: string, graceSeconds?: number): Promise<void>;
  /** Resolves with the exit code once the container stops. */
  waitContainer(id: string): Promise<number>;
  /** Forced; absent is not an error. */
  removeContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo>;
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;
  exec(id: string, command: string[], options?: ExecOptions): Promise<ExecResult>;
  logs(id: string, options?: LogOptions): Promise<Readable & AsyncIterable<LogChunk>>;
  imageExists(image: string): Promise<boolean>;
  networkManager(): NetworkManager | null;
  sidecarManager(): SidecarManager | null;
  buildManager(): BuildManager | null;
  close(): Promise<void>;
}
