import { randomBytes } from "node:crypto";
import { type PoolSpec, type PoolStatus, type RunSpec, warmPoolMatch } from "@bailey/protocol";
import type { InteractiveStream, Runtime } from "@bailey/runtime";
import type { ImagePuller } from "../images/image-puller";
import { labelKeys } from "../runs/run-record";

/** Pool containers and networks carry these besides bailey.managed / bailey.host-id, and no run id: no run owns them until one claims them. */
export const poolLabelKeys = { poolId: "bailey.pool-id" } as const;
export const poolRole = "pool";

/** A started idle container of a pool, with its own network (made the claiming run's, as a normal run's network would be). */
export interface PooledContainer {
  poolId: string;
  containerId: string;
  name: string;
  networkId: string | null;
  networkName: string | null;
  imageDigest: string | null;
  /** The image's ENTRYPOINT and CMD: a claimed container runs the idle command, so the run's exec starts them itself. */
  entrypoint: string[];
  cmd: string[];
  /**
   * The launcher's stdin and output, attached since the container started: the run's command is
   * written here and its output read from here. Null for a pool with its own idle command, or an
   * engine the launcher is not used on: the run's command is exec'd.
   */
  launcher: InteractiveStream | null;
}

/**
 * The launcher: the image's shell reading commands from its stdin, which the agent holds open.
 * A claimed run's environment, working directory and `exec` of its command are written to it, so
 * the run starts in the idle process itself: no exec through the engine (50–70 ms, most of a warm
 * start under gVisor), about 2 ms.
 */
export const launcherCommand = ["/bin/sh", "-s"];

interface Pool {
  spec: PoolSpec;
  idle: PooledContainer[];
  starting: number;
  claimedTotal: number;
  lastError: string | null;
  imageDigest: string | null;
  /** No longer desired: whatever is still starting is removed when it is ready. */
  removed: boolean;
  filling: boolean;
  retry: NodeJS.Timeout | null;
}

export interface PoolManagerOptions {
  runtime: Runtime;
  hostId: string;
  images: ImagePuller;
  /** BAILEY_ALLOW: a sandbox:none pool needs it as a sandbox:none run does. */
  allowed?: readonly string[];
  log?: (line: string) => void;
}

/** What an idle container runs where the launcher is not used and the pool names no idle command. */
const defaultIdleCommand = ["sleep", "infinity"];

/** How many containers of one pool start at once (the machine also runs the runs). */
const fillConcurrency = 2;
/** After a failed fill (image, sandbox, engine), the pool tries again after this long. */
const retryAfterMs = 10_000;

/**
 * The warm pools of this host: fills each to its size in the background, hands each idle
 * container to exactly one matching run (claim is synchronous, so two run.create calls, from one
 * connection or two, can never take the same one), and drains pools no longer configured.
 */
export class PoolManager {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly options: PoolManagerOptions) {}

  /** The desired set (idempotent): new pools fill, resized ones fill or trim, changed ones start over, missing ones drain. */
  configure(specs: PoolSpec[]): PoolStatus[] {
    const wanted = new Map(specs.map((spec) => [spec.poolId, spec]));
    for (const [poolId, pool] of this.pools) {
      const spec = wanted.get(poolId);
      if (!spec || !sameShape(spec, pool.spec)) this.drain(pool);
    }
    for (const spec of specs) {
      const pool = this.pools.get(spec.poolId);
      if (pool) {
        pool.spec = spec;
        this.trim(pool);
        this.kick(pool);
      } else {
        const fresh: Pool = { spec, idle: [], starting: 0, claimedTotal: 0, lastError: null, imageDigest: null, removed: false, filling: false, retry: null };
        this.pools.set(spec.poolId, fresh);
        this.kick(fresh);
      }
    }
    return this.status();
  }

  status(): PoolStatus[] {
    return [...this.pools.values()].map((pool) => ({
      poolId: pool.spec.poolId,
      image: pool.spec.image,
      imageDigest: pool.imageDigest,
      sandbox: pool.spec.sandbox,
      size: pool.spec.size,
      idle: pool.idle.length,
      starting: pool.starting,
      claimedTotal: pool.claimedTotal,
      lastError: pool.lastError,
    }));
  }

  /** An idle container for this run, now its own (never handed out again), or null: the run then takes the normal path. */
  claim(spec: RunSpec): PooledContainer | null {
    for (const pool of this.pools.values()) {
      if (pool.removed || !warmPoolMatch(spec, pool.spec)) continue;
      const container = pool.idle.shift();
      if (!container) continue;
      pool.claimedTotal += 1;
      this.kick(pool);
      return container;
    }
    return null;
  }

  /** Whether this container or network is an idle (or starting) pool member: reconcile leaves those alone. */
  holds(id: string): boolean {
    for (const pool of this.pools.values()) {
      if (pool.idle.some((entry) => entry.containerId === id || entry.networkId === id || entry.name === id)) return true;
    }
    return false;
  }

  isStarting(name: string): boolean {
    return name.startsWith("bailey-pool-") && [...this.pools.values()].some((pool) => pool.starting > 0 && name.startsWith(`bailey-pool-${pool.spec.poolId}-`));
  }

  /**
   * At agent start: pool containers and networks a previous agent process left, except those
   * runs claimed (`keep`: their container and network ids). Idle ones are not taken over: the
   * pools are filled afresh when the control plane configures them.
   */
  async removeLeftovers(keep: Set<string>): Promise<number> {
    const { runtime, hostId } = this.options;
    const labels = { [labelKeys.managed]: "true", [labelKeys.hostId]: hostId, [labelKeys.role]: poolRole };
    let removed = 0;
    for (const container of await runtime.listContainers(labels)) {
      if (keep.has(container.id)) continue;
      await runtime.removeContainer(container.id);
      removed += 1;
    }
    for (const network of (await runtime.networkManager()?.listNetworks(labels)) ?? []) {
      if (!keep.has(network.id)) await runtime.networkManager()?.removeNetwork(network.id);
    }
    if (removed) this.options.log?.(`pools: removed ${removed} idle container(s) a previous agent left; pools refill when configured`);
    return removed;
  }

  /** Stops filling; idle containers stay for the next agent process to remove. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) if (pool.retry) clearTimeout(pool.retry);
  }

  private drain(pool: Pool): void {
    pool.removed = true;
    if (pool.retry) clearTimeout(pool.retry);
    this.pools.delete(pool.spec.poolId);
    const idle = pool.idle.splice(0);
    for (const container of idle) void this.discard(container);
  }

  private trim(pool: Pool): void {
    while (pool.idle.length > pool.spec.size) void this.discard(pool.idle.pop() as PooledContainer);
  }

  private kick(pool: Pool): void {
    if (pool.filling || pool.removed || this.closed || pool.retry) return;
    if (pool.idle.length + pool.starting >= pool.spec.size) return;
    pool.filling = true;
    void this.fill(pool)
      .catch((error: Error) => {
        pool.lastError = error.message;
        this.options.log?.(`pool ${pool.spec.poolId}: filling failed (${error.message}); trying again in ${retryAfterMs / 1000} s`);
        pool.retry = setTimeout(() => {
          pool.retry = null;
          this.kick(pool);
        }, retryAfterMs);
      })
      .finally(() => {
        pool.filling = false;
        if (!pool.retry) this.kick(pool);
      });
  }

  private async fill(pool: Pool): Promise<void> {
    const { spec } = pool;
    if (spec.sandbox === "none" && !(this.options.allowed ?? []).includes("sandbox:none")) {
      throw new Error(
        `Host ${this.options.hostId} does not allow sandbox:none (BAILEY_ALLOW); put sandbox:none in BAILEY_ALLOW in /etc/bailey/agent.env and restart the agent, or make the pool gvisor.`,
      );
    }
    // The host's own access only: a pool's image is one the host can pull (or has) without a team's credentials.
    const image = await this.options.images.ensure({ image: spec.image, policy: "if-not-present" }).catch((error: Error) => {
      throw new Error(`Image ${spec.image} cannot be pulled by this host without credentials (${error.message}); pre-pull it on the host or use an image it can pull.`);
    });
    const details = (await this.options.runtime.inspectImage(image.reference)) ?? (await this.options.runtime.inspectImage(spec.image));
    pool.imageDigest = image.digest ?? details?.id ?? null;
    while (!pool.removed && !this.closed && pool.idle.length + pool.starting < spec.size) {
      const batch = Math.min(fillConcurrency, spec.size - pool.idle.length - pool.starting);
      await Promise.all(Array.from({ length: batch }, () => this.startOne(pool, image.reference, details?.entrypoint ?? [], details?.cmd ?? [])));
      pool.lastError = null;
    }
  }

  private async startOne(pool: Pool, reference: string, entrypoint: string[], cmd: string[]): Promise<void> {
    const { runtime, hostId } = this.options;
    const { spec } = pool;
    const name = `bailey-pool-${spec.poolId}-${randomBytes(6).toString("hex")}`;
    const labels = { [labelKeys.managed]: "true", [labelKeys.hostId]: hostId, [labelKeys.role]: poolRole, [poolLabelKeys.poolId]: spec.poolId };
    const entry: PooledContainer = { poolId: spec.poolId, containerId: "", name, networkId: null, networkName: null, imageDigest: pool.imageDigest, entrypoint, cmd, launcher: null };
    // Docker only: Podman's attach is not relied on to carry a run's start.
    const launched = spec.idleCommand === undefined && runtime.type === "docker";
    pool.starting += 1;
    try {
      const networks = runtime.networkManager();
      if (networks) {
        const network = await networks.createNetwork(name, labels);
        entry.networkId = network.id;
        entry.networkName = network.name;
      }
      entry.containerId = await runtime.createContainer({
        name,
        image: reference,
        // The idle command replaces the image's entrypoint (and so its CMD); the run's command starts those.
        entrypoint: spec.idleCommand ?? (launched ? launcherCommand : defaultIdleCommand),
        command: [],
        ...(launched ? { openStdin: true } : {}),
        labels,
        sandbox: spec.sandbox,
        resources: spec.resources,
        ...(entry.networkName ? { network: entry.networkName } : {}),
      });
      await runtime.startContainer(entry.containerId);
      const info = await runtime.inspectContainer(entry.containerId);
      if (!info.running) {
        throw new Error(
          spec.idleCommand
            ? `its idle command ${JSON.stringify(spec.idleCommand)} exited with code ${info.exitCode}; the image needs it (set idleCommand to a command the image has)`
            : `its launcher (${launched ? launcherCommand.join(" ") : defaultIdleCommand.join(" ")}) exited with code ${info.exitCode}; the image needs it (give the pool an idleCommand the image has, e.g. ["sleep", "infinity"])`,
        );
      }
      if (launched) entry.launcher = await this.attachLauncher(entry.containerId);
    } catch (error) {
      await this.discard(entry);
      throw new Error(`Starting a container of pool ${spec.poolId} failed: ${(error as Error).message}`);
    } finally {
      pool.starting -= 1;
    }
    if (pool.removed || this.closed || pool.idle.length >= spec.size) await this.discard(entry);
    else pool.idle.push(entry);
  }

  /** The launcher's stdin and output; null (the run is exec'd instead) where the engine refuses the attach. */
  private async attachLauncher(containerId: string): Promise<InteractiveStream | null> {
    const attached = await this.options.runtime
      .interactiveManager()
      ?.attach(containerId, { stdin: true })
      .catch((error: Error) => {
        this.options.log?.(`pools: attaching to ${containerId}'s launcher failed (${error.message}); its run will be exec'd`);
        return null;
      });
    // Nothing is read from it until a run is written to it: an error meanwhile ends the stream, which the run then finds.
    attached?.output.on("error", () => undefined);
    return attached ?? null;
  }

  private async discard(entry: PooledContainer): Promise<void> {
    const { runtime } = this.options;
    entry.launcher?.close();
    try {
      await runtime.removeContainer(entry.containerId || entry.name);
      await runtime.networkManager()?.removeNetwork(entry.networkId ?? entry.name);
    } catch (error) {
      this.options.log?.(`pool ${entry.poolId}: removing ${entry.name} failed (${(error as Error).message}); the next agent start removes it`);
    }
  }
}

/** Whether a pool's containers still fit the spec (only its size changed). */
function sameShape(a: PoolSpec, b: PoolSpec): boolean {
  const { size: _a, ...restA } = a;
  const { size: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
