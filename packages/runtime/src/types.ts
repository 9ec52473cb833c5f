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
  /** Network to attach to at creation: the run's own network, so it cannot reach other runs. */
  network?: string;
  /** More names it answers to on `network`, besides its hostname (the egress proxy's `egress-proxy`). */
  networkAliases?: string[];
  /** Joined as well, before start (a strict run's proxy: its way out). Needs a runtime with a network manager. */
  extraNetworks?: string[];
  /** Resolvers in its /etc/resolv.conf instead of the engine's. */
  dns?: string[];
  /** `name:ip` lines added to its /etc/hosts. */
  extraHosts?: string[];
  /** Namespaced kernel settings (`net.*`), e.g. to turn IPv6 off in its network namespace. */
  sysctls?: Record<string, string>;
  /** Only for `docker:host`: mount the engine's socket (see Runtime.engineSocketFor) at /var/run/docker.sock. */
  mountEngineSocket?: boolean;
  /** Only for `docker:dind`. */
  privileged?: boolean;
  /** Host directories mounted read-only (a run's secret files, from a host tmpfs); not on runtimes without bind mounts (see supportsBindMounts). */
  readOnlyBinds?: { source: string; target: string }[];
  /** Host directories mounted read-write (a run's workspace); not on runtimes without bind mounts (see supportsBindMounts). */
  readWriteBinds?: { source: string; target: string }[];
  /** uid or uid:gid the container's process runs as; the image's user when absent. */
  user?: string;
  /** Give the main process a terminal (its output is then one raw stream: no stdout/stderr split). */
  tty?: boolean;
  /** Keep the main process's stdin open for an attach (InteractiveManager.attach), not closed after the first attach ends. */
  openStdin?: boolean;
}

/**
 * How much of a container's output the engine keeps on disk: at most `maxFiles` files of
 * `maxSize` each (Docker's notation: a number with k, m or g). Podman's k8s-file keeps one
 * file, truncated at `maxSize`.
 */
export interface LogLimits {
  maxSize: string;
  maxFiles: number;
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
  /** Its IPv4 address on each network it is on (where it has one), from inspect. */
  ipAddresses?: Record<string, string>;
  /** Whether its main process has a terminal (created with `tty`), where the backend reports it. */
  tty?: boolean;
  /** Whether its main process's stdin stays open for an attach (created with `openStdin`), where the backend reports it. */
  openStdin?: boolean;
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
  /** uid[:gid] (or a name) the process runs as; the container's user when absent. */
  user?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface InteractiveExecOptions extends ExecOptions {
  /** Keep the process's stdin open for `write` (a TTY always has it). */
  stdin?: boolean;
  /** The terminal's size from the start (a TTY only). */
  cols?: number;
  rows?: number;
}

export interface AttachOptions {
  /** Send input to the main process: only for a container created with `openStdin` (and `tty`). */
  stdin?: boolean;
}

/**
 * A live connection to a process in a container: an exec'd one or the container's main
 * process (attach). Output flows with backpressure: while nobody reads `output`, the engine's
 * connection is not read and the process blocks on its writes.
 */
export interface InteractiveStream {
  /** Its output as it comes (a TTY's is all stdout); ends when the process ends, the container stops, or close() is called. */
  readonly output: Readable & AsyncIterable<LogChunk>;
  /** Writes to its stdin; resolves once the engine's connection has taken the bytes. Rejects when opened without stdin. */
  write(data: Buffer): Promise<void>;
  /** Closes its stdin (EOF); output keeps coming until the process ends. */
  endInput(): Promise<void>;
  /** Sets its terminal's size (a TTY only; the container's TTY for an attach). */
  resize(cols: number, rows: number): Promise<void>;
  /** Drops the connection. An exec'd process is not signalled by this (see ExecSession.kill); an attached main process runs on. */
  close(): void;
}

export interface ExecSession extends InteractiveStream {
  /** The process's exit code, once `output` has ended; null when the engine cannot say (its container was removed). */
  exitCode(): Promise<number | null>;
  /** SIGKILLs the process and everything it started (found from inside the container; needs a `sh` in the image). */
  kill(): Promise<void>;
}

/**
 * Interactive processes in containers: `docker exec -it` and `docker attach`, as streams.
 * Engines without it have no manager (see requireInteractiveManager).
 */
export interface InteractiveManager {
  /** Starts `command` in a running container and connects to it. */
  execSession(id: string, command: string[], options?: InteractiveExecOptions): Promise<ExecSession>;
  /** Connects to a running container's main process (its output from now on; its stdin with `stdin`). */
  attach(id: string, options?: AttachOptions): Promise<InteractiveStream>;
}

export interface LogOptions {
  follow?: boolean;
  /** Only lines written at or after this time. */
  since?: Date;
  tail?: number;
  /** A follow picks up right after this chunk's `position` (a restarted reader): nothing before it again, nothing after it lost. */
  after?: LogPosition;
}

export interface LogChunk {
  stream: "stdout" | "stderr";
  data: Buffer;
  /** Where the log stands once this chunk is delivered (a non-TTY follow on engines with log timestamps); pass it as `after` to resume. */
  position?: LogPosition;
}

/**
 * How far a follow has delivered, per stream: the engine stamps stdout and stderr apart (each in
 * order), so one stream's frame can be older than the other's before it in the log.
 */
export interface LogPosition {
  stdout: StreamLogPosition | null;
  stderr: StreamLogPosition | null;
}

/** The engine's timestamp of the stream's newest frame delivered (nanoseconds since the epoch, decimal), how many delivered frames carry exactly it, and whether the last ended mid-line. */
export interface StreamLogPosition {
  nanos: string;
  frames: number;
  partialLine: boolean;
}

export interface NetworkInfo {
  id: string;
  name: string;
}

export interface NetworkOptions {
  /** No way out: the engine gives it no route or forwarding beyond its own containers (a strict run's network). */
  internal?: boolean;
}

export interface NetworkManager {
  createNetwork(name: string, labels: Record<string, string>, options?: NetworkOptions): Promise<NetworkInfo>;
  /** Joins an existing container to a network (before start, or while it runs); already joined is not an error. */
  connectNetwork?(network: string, containerId: string, options?: { aliases?: string[] }): Promise<void>;
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
  networkAliases?: string[];
  extraNetworks?: string[];
  dns?: string[];
  extraHosts?: string[];
  sysctls?: Record<string, string>;
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
  /** The Dockerfile stage to build (FROM … AS <target>); the last stage when absent. */
  target?: string;
  /** Put on the built image, so its owner can find it again (builtImages). */
  labels?: Record<string, string>;
  /** A BuildKit endpoint (a run's sidecar, or BUILDKIT_HOST), tried first. */
  buildkitHost?: string;
  log?: (line: string) => void;
  /** Called as each builder is tried, with why (the plan's reason, or the previous builder's failure). */
  onBuilder?: (builder: BuildResult["builder"], reason: string) => void;
}

export interface BuildResult {
  tag: string;
  builder: "buildkit-endpoint" | "engine-buildkit" | "legacy" | "buildah";
}

export interface BuildManager {
  buildImage(options: BuildOptions): Promise<BuildResult>;
  imageExists(tag: string): Promise<boolean>;
  /** Removes a built image by tag (and its untagged parents); false when the host does not have it. */
  removeImage?(tag: string): Promise<boolean>;
  /** The images carrying all these labels (as builds put them). */
  builtImages?(labels: Record<string, string>): Promise<{ id: string; tags: string[]; labels: Record<string, string> }[]>;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Bytes fetched so far over all layers; `bytesTotal` grows as the engine learns layer sizes (0 while unknown). */
export interface PullProgress {
  bytesDone: number;
  bytesTotal: number;
}

export interface PullOptions {
  /** For this pull only; never stored. */
  auth?: RegistryCredentials;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  /** The reference the engine now has the image under (fully qualified for Docker-API engines). */
  reference: string;
  /** The registry's manifest digest (sha256:…) the engine recorded; null where the backend does not say. */
  digest: string | null;
  /** Bytes fetched from the registry (0 when every layer was already here). */
  bytes: number;
  /** Whether anything new arrived: false when the host already had exactly this image. */
  fetched: boolean;
}

export interface ImageDetails {
  id: string;
  /** repo:tag names. */
  tags: string[];
  /** repo@sha256:… names. */
  digests: string[];
  sizeBytes: number;
  createdAt: string | null;
  /** Its config's ENTRYPOINT and CMD, where the backend reports them (a warm pool's run execs them itself). */
  entrypoint?: string[] | null;
  cmd?: string[] | null;
}

/** What an imported image's config holds besides its files. */
export interface ImageImportOptions {
  labels?: Record<string, string>;
  env?: Record<string, string>;
}

export interface Runtime {
  readonly type: RuntimeType;
  ping(): Promise<void>;
  /** Whether sandboxed (gVisor) containers can be created here. */
  sandboxAvailable(): Promise<boolean>;
  /**
   * docker:host: the host path of the engine socket a container of this sandbox would get (the
   * one this runtime itself talks to). Rejects, before anything is created, where it cannot
   * have one: no engine on the host (UnsupportedFeatureError), no runsc at all
   * (SandboxUnavailableError), no runsc that may open host sockets (SandboxedEngineSocketError).
   */
  engineSocketFor(sandbox: Sandbox): Promise<string>;
  /** Whether a gVisor container can have the engine's socket here (Docker: runsc-host-uds registered); a host feature. */
  sandboxedEngineSocketAvailable(): Promise<boolean>;
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
  /** Pulls from the image's registry; fails with ImagePullError (its reason: not_found, unauthorized, unreachable, other). */
  pullImage(reference: string, options?: PullOptions): Promise<PullResult>;
  /** The local image, or null when the host does not have it. */
  inspectImage(reference: string): Promise<ImageDetails | null>;
  listImages(): Promise<ImageDetails[]>;
  /** Makes a one-layer image from a root filesystem tarball (`docker import`); only engines that can. */
  importImage?(tarball: NodeJS.ReadableStream, reference: string, options?: ImageImportOptions): Promise<void>;
  networkManager(): NetworkManager | null;
  sidecarManager(): SidecarManager | null;
  buildManager(): BuildManager | null;
  interactiveManager(): InteractiveManager | null;
  close(): Promise<void>;
}
