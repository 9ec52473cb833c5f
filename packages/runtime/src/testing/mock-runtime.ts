import { createHash, randomUUID } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { ContainerNotFoundError, ImagePullError, SandboxedEngineSocketError, SandboxUnavailableError } from "../errors";
import { parseImageReference, repositoryKey } from "../image-reference";
import { MockInteractiveManager } from "./mock-interactive";
import type {
  BuildManager,
  BuildOptions,
  ContainerInfo,
  ContainerSpec,
  ContainerSummary,
  ExecResult,
  ImageDetails,
  InteractiveManager,
  LogChunk,
  LogOptions,
  NetworkInfo,
  NetworkManager,
  PullOptions,
  PullResult,
  Runtime,
  Sandbox,
  SidecarConfig,
  SidecarManager,
} from "../types";

/** What a mock container "does" when started: its output and exit, or run until stopped. */
export interface MockProgram {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Keeps running until stopped (then exits 137, as a PID 1 that ignores SIGTERM would). */
  longRunning?: boolean;
}

export type MockBehaviour = (command: string[]) => MockProgram;

/** The handful of commands the conformance suite uses, so Mock behaves like a real engine. */
export const conformanceBehaviour: MockBehaviour = (command) => {
  const script = command[0] === "sh" && command[1] === "-c" ? (command[2] ?? "") : command.join(" ");
  if (/^sleep \d+|httpd/.test(script)) return { longRunning: true };
  const exit = /exit (\d+)/.exec(script);
  const echoes = [...script.matchAll(/echo ([^;>&]+?)( >&2)?(;|$)/g)];
  return {
    stdout: echoes
      .filter((match) => !match[2])
      .map((match) => `${match[1]?.trim()}\n`)
      .join(""),
    stderr: echoes
      .filter((match) => match[2])
      .map((match) => `${match[1]?.trim()}\n`)
      .join(""),
    exitCode: exit ? Number(exit[1]) : 0,
  };
};

interface MockContainer {
  info: ContainerInfo;
  spec: ContainerSpec;
  output: (LogChunk & { at: Date })[];
  exited: Promise<number>;
  exit: (code: number) => void;
}

export interface MockCall {
  method: string;
  args: unknown[];
}

export interface MockRuntimeOptions {
  behaviour?: MockBehaviour;
  sandbox?: boolean;
  features?: { networks?: boolean; sidecars?: boolean; builds?: boolean; interactive?: boolean };
  images?: string[];
  /** What the mock "registry" holds: reference → manifest digest; a pull of anything else fails not_found. Unset: every reference pulls. */
  registry?: Record<string, string>;
  /** How long a simulated pull takes. */
  pullDelayMs?: number;
  /** Whether a gVisor container may have the engine's socket (Docker's runsc-host-uds); true unless set. */
  sandboxedEngineSocket?: boolean;
}

/** The engine socket the mock "has", for docker:host. */
export const mockEngineSocket = "/run/mock-engine.sock";

/** An in-memory runtime that records every call; for unit tests of logic above the runtime. */
export class MockRuntime implements Runtime {
  readonly type = "mock" as const;
  readonly calls: MockCall[] = [];
  readonly containers = new Map<string, MockContainer>();
  readonly networks = new Map<string, NetworkInfo & { labels: Record<string, string> }>();
  readonly images: Set<string>;
  readonly registry: Map<string, string> | null;
  private readonly pulledDigests = new Map<string, string>();
  private readonly pullDelayMs: number;
  private readonly behaviour: MockBehaviour;
  private readonly hasSandbox: boolean;
  private readonly networkManagerImpl: NetworkManager | null;
  private readonly sidecarManagerImpl: SidecarManager | null;
  private readonly buildManagerImpl: BuildManager | null;
  private readonly interactiveManagerImpl: InteractiveManager | null;

  constructor(private readonly options: MockRuntimeOptions = {}) {
    this.behaviour = options.behaviour ?? conformanceBehaviour;
    this.hasSandbox = options.sandbox ?? true;
    this.images = new Set(options.images ?? []);
    this.registry = options.registry ? new Map(Object.entries(options.registry)) : null;
    this.pullDelayMs = options.pullDelayMs ?? 0;
    const features = { networks: true, sidecars: true, builds: true, interactive: true, ...options.features };
    this.networkManagerImpl = features.networks ? this.createNetworkManager() : null;
    this.sidecarManagerImpl = features.sidecars ? this.createSidecarManager() : null;
    this.buildManagerImpl = features.builds ? this.createBuildManager() : null;
    this.interactiveManagerImpl = features.interactive
      ? new MockInteractiveManager({
          record: (method, ...args) => this.record(method, ...args),
          container: (id) => {
            const { info, spec, exited } = this.get(id);
            return { running: info.running, tty: spec.tty === true, openStdin: spec.openStdin === true, exited };
          },
          behaviour: this.behaviour,
        })
      : null;
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  async ping(): Promise<void> {
    this.record("ping");
  }

  async sandboxAvailable(): Promise<boolean> {
    return this.hasSandbox;
  }

  async sandboxedEngineSocketAvailable(): Promise<boolean> {
    return this.hasSandbox && this.options.sandboxedEngineSocket !== false;
  }

  async engineSocketFor(sandbox: Sandbox): Promise<string> {
    if (sandbox === "gvisor" && !this.hasSandbox) throw new SandboxUnavailableError("mock");
    if (sandbox === "gvisor" && !(await this.sandboxedEngineSocketAvailable())) throw new SandboxedEngineSocketError("mock");
    return mockEngineSocket;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.record("createContainer", spec);
    if (spec.sandbox === "gvisor" && !this.hasSandbox) throw new SandboxUnavailableError("mock");
    if ([...this.containers.values()].some((container) => container.info.name === spec.name)) {
      throw new Error(`A container named ${spec.name} already exists.`);
    }
    const id = randomUUID().replaceAll("-", "");
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const info: ContainerInfo = {
      id,
      name: spec.name,
      image: spec.image,
      status: "created",
      running: false,
      exitCode: null,
      labels: { ...spec.labels },
      ociRuntime: spec.sandbox === "gvisor" ? "runsc" : "runc",
      startedAt: null,
      finishedAt: null,
      networks: [...(spec.network ? [spec.network] : []), ...(spec.extraNetworks ?? [])],
      tty: spec.tty === true,
      openStdin: spec.openStdin === true,
    };
    const container: MockContainer = { info, spec, output: [], exited, exit: () => undefined };
    container.exit = (code) => {
      if (!container.info.running) return;
      Object.assign(container.info, { running: false, status: "exited", exitCode: code, finishedAt: new Date() });
      exit(code);
    };
    this.containers.set(id, container);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record("startContainer", id);
    const container = this.get(id);
    if (container.info.running) return;
    Object.assign(container.info, { running: true, status: "running", startedAt: new Date() });
    const program = this.behaviour(container.spec.command ?? []);
    const at = new Date();
    if (program.stdout) container.output.push({ stream: "stdout", data: Buffer.from(program.stdout), at });
    if (program.stderr) container.output.push({ stream: "stderr", data: Buffer.from(program.stderr), at });
    if (!program.longRunning) queueMicrotask(() => container.exit(program.exitCode ?? 0));
  }

  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    this.record("stopContainer", id, graceSeconds);
    this.get(id).exit(137);
  }

  waitContainer(id: string): Promise<number> {
    this.record("waitContainer", id);
    return this.get(id).exited;
  }

  async removeContainer(id: string): Promise<void> {
    this.record("removeContainer", id);
    const container = this.containers.get(id) ?? [...this.containers.values()].find((c) => c.info.name === id);
    if (!container) return;
    container.exit(137);
    this.containers.delete(container.info.id);
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    return structuredClone(this.get(id).info);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((container) => matches(container.info.labels, labels))
      .map(({ info }) => ({ id: info.id, name: info.name, status: info.status, labels: { ...info.labels } }));
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    this.record("exec", id, command);
    const container = this.get(id);
    if (!container.info.running) throw new Error(`Container ${id} is not running.`);
    const program = this.behaviour(command);
    return { exitCode: program.exitCode ?? 0, stdout: program.stdout ?? "", stderr: program.stderr ?? "" };
  }

  async logs(id: string, options: LogOptions = {}): Promise<Readable & AsyncIterable<LogChunk>> {
    const container = this.get(id);
    const since = options.since?.getTime() ?? 0;
    const output = container.output.filter((chunk) => chunk.at.getTime() >= since).map(({ stream, data }) => ({ stream, data }));
    if (!options.follow) return Readable.from(output);
    const stream = new PassThrough({ objectMode: true });
    for (const chunk of output) stream.write(chunk);
    void container.exited.then(() => stream.end());
    return stream;
  }

  async imageExists(image: string): Promise<boolean> {
    return this.images.has(image);
  }

  async pullImage(reference: string, options: PullOptions = {}): Promise<PullResult> {
    this.record("pullImage", reference, { auth: options.auth ? "(given)" : null });
    const digest = this.registry ? this.registry.get(reference) : `sha256:${createHash("sha256").update(reference).digest("hex")}`;
    if (!digest) throw new ImagePullError(reference, parseImageReference(reference).registry, "not_found", `manifest for ${reference} not found`);
    options.onProgress?.({ bytesDone: 0, bytesTotal: 1024 });
    if (this.pullDelayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.pullDelayMs);
        options.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new ImagePullError(reference, parseImageReference(reference).registry, "other", "the pull was cancelled"));
        });
      });
    }
    options.onProgress?.({ bytesDone: 1024, bytesTotal: 1024 });
    const fetched = this.pulledDigests.get(reference) !== digest || !this.images.has(reference);
    this.images.add(reference);
    this.pulledDigests.set(reference, digest);
    return { reference, digest, bytes: fetched ? 1024 : 0, fetched };
  }

  async inspectImage(reference: string): Promise<ImageDetails | null> {
    if (!this.images.has(reference)) return null;
    const digest = this.pulledDigests.get(reference);
    return { id: `mock-${reference}`, tags: [reference], digests: digest ? [`${repositoryKey(reference)}@${digest}`] : [], sizeBytes: 1024, createdAt: null };
  }

  async listImages(): Promise<ImageDetails[]> {
    const images = await Promise.all([...this.images].map((reference) => this.inspectImage(reference)));
    return images.filter((image) => image !== null);
  }

  networkManager(): NetworkManager | null {
    return this.networkManagerImpl;
  }

  sidecarManager(): SidecarManager | null {
    return this.sidecarManagerImpl;
  }

  buildManager(): BuildManager | null {
    return this.buildManagerImpl;
  }

  interactiveManager(): InteractiveManager | null {
    return this.interactiveManagerImpl;
  }

  async close(): Promise<void> {
    this.record("close");
  }

  private get(idOrName: string): MockContainer {
    const container = this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.info.name === idOrName);
    if (!container) throw new ContainerNotFoundError(idOrName);
    return container;
  }

  private createNetworkManager(): NetworkManager {
    return {
      createNetwork: async (name, labels, options) => {
        this.record("createNetwork", name, labels, ...(options ? [options] : []));
        const existing = [...this.networks.values()].find((network) => network.name === name);
        if (existing) return { id: existing.id, name };
        const network = { id: randomUUID(), name, labels };
        this.networks.set(network.id, network);
        return { id: network.id, name };
      },
      connectNetwork: async (network, containerId, options) => {
        this.record("connectNetwork", network, containerId, ...(options ? [options] : []));
        if (![...this.networks.values()].some((known) => known.name === network || known.id === network)) throw new Error(`No such network: ${network}`);
        const container = this.get(containerId);
        if (!container.info.networks.includes(network)) container.info.networks.push(network);
      },
      removeNetwork: async (idOrName) => {
        this.record("removeNetwork", idOrName);
        for (const [id, network] of this.networks) if (id === idOrName || network.name === idOrName) this.networks.delete(id);
      },
      listNetworks: async (labels) => [...this.networks.values()].filter((network) => matches(network.labels, labels)).map(({ id, name }) => ({ id, name })),
    };
  }

  private createSidecarManager(): SidecarManager {
    return {
      startSidecar: async (config: SidecarConfig) => {
        this.record("startSidecar", config);
        if (!this.networks.size || ![...this.networks.values()].some((network) => network.name === config.network)) {
          throw new Error(`No such network: ${config.network}`);
        }
        this.images.add(config.image);
        const id = await this.createContainer({ ...config, hostname: config.hostname, command: config.command ?? ["sleep", "86400"] });
        try {
          await this.startContainer(id);
        } catch (error) {
          await this.removeContainer(id);
          throw error;
        }
        return this.inspectContainer(id);
      },
      inspectSidecar: (id) => this.inspectContainer(id),
    };
  }

  private createBuildManager(): BuildManager {
    return {
      buildImage: async (options: BuildOptions) => {
        this.record("buildImage", options);
        this.images.add(options.tag);
        return { tag: options.tag, builder: options.buildkitHost ? "buildkit-endpoint" : "engine-buildkit" };
      },
      imageExists: async (tag) => this.images.has(tag),
    };
  }
}

function matches(have: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([key, value]) => have[key] === value);
}
