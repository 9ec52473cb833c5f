import { createHash } from "node:crypto";
import { type AgentRun, buildImageTag, type GrantCredential, type RegistryAuth, RpcError, type RunCredentials, type RunSpec, rpcErrorCodes } from "@bailey/protocol";
import {
  engineSocketInContainer,
  type InteractiveStream,
  requireNetworkManager,
  requireSidecarManager,
  type Runtime,
  SandboxedEngineSocketError,
  SandboxUnavailableError,
  supportsBindMounts,
  UnsupportedFeatureError,
} from "@bailey/runtime";
import { BuildLogs } from "../builds/build-log";
import { BuildContextStore } from "../builds/context-store";
import { buildRunImage, RunBuildError, removeBuildTempDirs } from "../builds/run-build";
import { type EgressEventFollower, followEgressEvents, type RunEgressEvent } from "../egress/event-follower";
import { guardedRunIds, guardHostInput, releaseHostInput, strictContainerNetworkSettings } from "../egress/host-input-guard";
import { ensureEgressProxyImage } from "../egress/proxy-image";
import { mainCaMountDir, proxyAlias, proxyEnvironment, type RunEgressFiles, writeCaBundle, writeRunEgressFiles } from "../egress/run-files";
import { ImagePuller } from "../images/image-puller";
import { type LogCommitWatch, RunLogFiles } from "../logs/run-log-file";
import type { Journal, NewJournalEvent } from "../journal/journal";
import { RunWorkspaces, WorkspaceError } from "../workspaces/run-workspaces";
import { type PooledContainer, PoolManager } from "../pools/pool-manager";
import { launchScript, startWarmExec, stopWarmRun, type WarmClaim } from "../pools/warm-run";
import { readContainerFile } from "./container-file";
import { defaultEgressNetwork, startEgressSidecar } from "./egress-sidecar";
import { labelKeys, names, type RunRecord, toAgentRun } from "./run-record";
import { SpareNetworks, spareNetworkNamePrefix } from "./spare-networks";
import type { RunStore } from "./run-store";
import { defaultRunTmpfsRoot, prepareRunTmpfs, removeRunTmpfs, runsWithTmpfs, runTmpfsDir, writeSecretFiles } from "./run-tmpfs";

export interface RunManagerOptions {
  runtime: Runtime;
  journal: Journal;
  store: RunStore;
  hostId: string;
  buildkitImage: string;
  sidecarReadyTimeoutMs: number;
  /** Whether docker:dind's main container and BuildKit sidecar run privileged (default true). */
  dindPrivileged?: boolean;
  /** BAILEY_ALLOW: the escalations this host accepts; a run asking for another is refused before anything exists. */
  allowed?: readonly string[];
  /** BAILEY_PULL_TIMEOUT in ms: how long one image pull may take (default 15 minutes). */
  pullTimeoutMs?: number;
  /** Where runs' secret files are written: a tmpfs, never the state directory (default /dev/shm/bailey). */
  tmpfsRoot?: string;
  /** BAILEY_EGRESS_NETWORK: where a strict run's proxy leaves from (default: the engine's default network). */
  egressNetwork?: string;
  /** BAILEY_EGRESS_EXTRA_CA_FILE: PEM CAs every run's proxy trusts for upstreams besides the system's (tests). */
  egressExtraCaFile?: string;
  /** BAILEY_AGENT_GIT_CA_FILE: the PEM CAs the host's git trusts for https workspace remotes, instead of the system's. */
  gitCaFile?: string;
  /** The agent bundle the egress proxy image is made from (default: see resolveAgentBundle). */
  agentBundlePath?: string;
  /** The agent's state directory: build contexts and runs' build output live there (without it, spec.build is refused). */
  stateDir?: string;
  /** Fault injection: a pause after each provisioning step. */
  stepDelayMs?: number;
  /** BAILEY_SPARE_NETWORKS: run networks kept made ahead (default 0 here; the agent's own default is in env.ts). */
  spareNetworks?: number;
  log?: (line: string) => void;
}

export type ReconciledResource = { kind: "container" | "network" | "tmpfs"; id: string; name: string; runId: string | null };

const builtImageLabelKeys = { hostId: "bailey.built.host-id", runId: "bailey.built.run-id" } as const;

const finalStates = new Set<AgentRun["state"]>(["exited", "failed", "timed_out", "destroyed"]);

/** The image's CA bundle, which a strict run's bundle starts with (Debian, Ubuntu, Alpine and Fedora all keep one here). */
const imageCaBundlePath = "/etc/ssl/certs/ca-certificates.crt";

/** Networks named for no run: a pool's (its container's until a run claims it) and spares (until a run takes one). */
const ownedByNoRun = (networkName: string) => networkName.startsWith("bailey-pool-") || networkName.startsWith(spareNetworkNamePrefix);

/** Whether a run gets an egress proxy: grants need it to inject their credentials, a strict policy as its only way out. */
const needsEgressProxy = (spec: RunSpec) => spec.grants.length > 0 || spec.network?.policy === "strict";

/**
 * Owns every run on this host: provisions its resources, supervises the main container,
 * tears down what the run no longer needs, and journals each step before answering.
 */
export class RunManager {
  private readonly records = new Map<string, RunRecord>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly supervised = new Set<string>();
  private readonly egressFollowers = new Map<string, EgressEventFollower>();
  private closed = false;
  /** Record saves of one run, in order: the egress follower saves outside the run's lock. */
  private readonly saves = new Map<string, Promise<unknown>>();
  /** Shared with image.pull pre-pulls, so a run and a pre-pull of one image make one pull. */
  readonly images: ImagePuller;
  /** Build contexts put with build.context.put; null without a state directory. */
  readonly buildContexts: BuildContextStore | null;
  private readonly buildLogs: BuildLogs | null;
  /** Runs' workspaces and results (spec.workspace, user, artifacts, push). */
  readonly workspaces: RunWorkspaces;
  /** Each started run's output as a file, for run.logs.read; null without a state directory. */
  readonly runLogs: RunLogFiles | null;
  /** The warm pools: run.create claims from them (see pools/). */
  readonly pools: PoolManager;
  /** Run networks made ahead: a cold run takes one instead of waiting for the engine to make it. */
  readonly spareNetworks: SpareNetworks;
  /** Claimed runs not started yet: what their exec needs (in memory only, as it holds secrets' values). */
  private readonly warmClaims = new Map<string, WarmClaim>();
  /** Started warm runs: their exec's exit code, once it has ended. */
  private readonly warmExits = new Map<string, Promise<number | null>>();

  constructor(private readonly options: RunManagerOptions) {
    this.buildContexts = options.stateDir ? BuildContextStore.inStateDir(options.stateDir) : null;
    this.workspaces = new RunWorkspaces({
      stateDir: options.stateDir,
      tmpfsRoot: this.tmpfsRoot,
      runtime: options.runtime.type,
      journal: options.journal,
      ...(options.gitCaFile ? { gitCaFile: options.gitCaFile } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.runLogs = options.stateDir ? RunLogFiles.inStateDir(options.stateDir, options.runtime, options.log) : null;
    this.buildLogs = options.stateDir ? BuildLogs.inStateDir(options.stateDir) : null;
    this.images = new ImagePuller({ runtime: options.runtime, journal: options.journal, pullTimeoutMs: options.pullTimeoutMs ?? 15 * 60_000, ...(options.log ? { log: options.log } : {}) });
    this.spareNetworks = new SpareNetworks({ runtime: options.runtime, hostId: options.hostId, size: options.spareNetworks ?? 0, ...(options.log ? { log: options.log } : {}) });
    this.pools = new PoolManager({
      runtime: options.runtime,
      hostId: options.hostId,
      images: this.images,
      ...(options.allowed ? { allowed: options.allowed } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** Loads the runs a previous agent process left and takes up their supervision. */
  async resume(): Promise<void> {
    for (const record of await this.options.store.loadAll()) {
      this.records.set(record.runId, record);
      await this.exclusive(record.runId, () => this.resumeOne(record));
    }
    // Idle pool containers of the previous process go (the pools refill when configured); claimed ones are their runs'.
    const claimed = [...this.records.values()].filter((record) => record.warm && !finalStates.has(record.state));
    await this.pools.removeLeftovers(new Set(claimed.flatMap((record) => [record.containerId, record.networkId].filter((id): id is string => id !== null))));
    // Spares its runs took are theirs (torn down with them); the rest go, and the reserve is made afresh.
    await this.spareNetworks
      .start(new Set([...this.records.values()].flatMap((record) => (record.networkId ? [record.networkId] : []))))
      .catch((error: Error) => this.options.log?.(`spare networks: removing a previous agent's failed (${error.message}); runs make their own networks until the reserve fills`));
    await this.pruneBuildContexts();
  }

  /** Stops following the runs' egress proxies and settling their exits (the agent is stopping; runs keep running, and the next agent takes them up). */
  close(): void {
    this.closed = true;
    this.pools.close();
    this.spareNetworks.close();
    for (const runId of [...this.timers.keys()]) this.clearTimer(runId);
    for (const follower of this.egressFollowers.values()) follower.stop();
    this.egressFollowers.clear();
    void this.runLogs?.stopAll();
  }

  running(): string[] {
    return [...this.records.values()].filter((record) => record.state === "running").map((record) => record.runId);
  }

  runIds(): string[] {
    return [...this.records.keys()];
  }

  /**
   * `registryAuth` is for this call's pull only, and `credentials` for this call's container
   * (its environment and its tmpfs secret files): neither is ever part of the record, the
   * journal or an error.
   */
  async create(runId: string, spec: RunSpec, registryAuth?: RegistryAuth, credentials?: RunCredentials): Promise<AgentRun> {
    return this.exclusive(runId, async () => {
      const existing = this.records.get(runId);
      if (existing) {
        if (specHash(existing.spec) !== specHash(spec)) {
          throw new RpcError(rpcErrorCodes.conflict, `Run ${runId} already exists on this host with a different spec; use a new run ID.`);
        }
        return toAgentRun(existing);
      }
      this.refuseNotAllowed(runId, spec);
      const secrets = secretValuesFor(runId, spec, credentials);
      const grants = grantCredentialsFor(runId, spec, credentials);
      refuseUnenforceableStrict(runId, spec);
      try {
        this.refuseUnsupported(spec);
        await this.workspaces.accept(runId, spec, credentials);
        // Where the container could not have the engine's socket (no host engine, no runsc-host-uds, Podman under gVisor).
        if (spec.dependencies.includes("docker:host")) await this.options.runtime.engineSocketFor(spec.sandbox);
      } catch (error) {
        throw toRpcError(error);
      }
      // Claimed synchronously (no await between the check and the take): one container, one run, ever.
      const warm = this.pools.claim(spec);
      if (warm) return this.createWarm(runId, spec, warm, secrets);
      const record = newRunRecord(runId, spec);
      // Recorded before anything exists, so a crash mid-provisioning is found and undone on restart.
      await this.persist(record, { type: "run.created", runId, data: { image: spec.image, dependencies: spec.dependencies, sandbox: spec.sandbox } });
      try {
        await this.provision(record, registryAuth, secrets, grants);
      } catch (error) {
        // Everything provisioning made goes, the main container too if it got that far.
        await this.teardown(record, true);
        if (spec.build) await this.removeBuiltImage(record);
        await this.workspaces.remove(runId);
        record.state = "failed";
        record.error = (error as Error).message;
        record.finishedAt = new Date().toISOString();
        const during = error instanceof RunBuildError ? "build" : error instanceof WorkspaceError ? "workspace" : "provisioning";
        await this.persist(record, { type: "run.failed", runId, data: { error: record.error, during } });
        if (error instanceof RpcError) throw error;
        if (error instanceof UnsupportedFeatureError) throw toRpcError(error);
        throw new RpcError(
          rpcErrorCodes.internalError,
          during === "workspace"
            ? `Run ${runId} was not created, and what it had created was removed: ${record.error}`
            : during === "build"
              ? `Building run ${runId}'s image failed, and what it had created was removed (its build output is in the run's logs): ${record.error}`
              : `Provisioning run ${runId} failed, and what it had created was removed: ${record.error}`,
          during === "provisioning" ? undefined : { runId, during },
        );
      }
      record.state = "created";
      await this.persist(record, { type: "run.state", runId, data: { state: "created" } });
      return toAgentRun(record);
    });
  }

  async start(runId: string): Promise<AgentRun> {
    return this.exclusive(runId, async () => {
      const record = this.get(runId);
      if (record.state === "running" || finalStates.has(record.state)) return toAgentRun(record);
      if (record.state !== "created" || !record.containerId) {
        throw new RpcError(rpcErrorCodes.conflict, `Run ${runId} is ${record.state} and cannot be started.`);
      }
      // Created before the host's BAILEY_ALLOW was narrowed (and the agent restarted): it does not start.
      this.refuseNotAllowed(runId, record.spec);
      if (record.warm) return this.startWarm(record);
      // Its output, connected before it starts, so its log file gets every byte (see RunLogFiles.follow).
      const attached = this.runLogs ? await this.attachOutput(runId, record.containerId) : null;
      try {
        await this.options.runtime.startContainer(record.containerId);
      } catch (error) {
        attached?.close();
        throw error;
      }
      await this.recordStarted(record, record.containerId);
      this.runLogs?.follow(runId, record.containerId, attached ?? undefined);
      this.supervise(record);
      return toAgentRun(record);
    });
  }

  /** run.create that claimed a warm container: its network and container become the run's, as a normal run's would be. */
  private async createWarm(runId: string, spec: RunSpec, warm: PooledContainer, secrets: Record<string, string>): Promise<AgentRun> {
    const env = runEnvironment(runId, spec, secrets);
    const record = newRunRecord(runId, spec, {
      containerId: warm.containerId,
      networkId: warm.networkId,
      networkName: warm.networkName,
      imageDigest: warm.imageDigest,
      warm: { poolId: warm.poolId },
    });
    this.warmClaims.set(runId, { entrypoint: warm.entrypoint, cmd: warm.cmd, env, launcher: warm.launcher });
    await this.persist(record, { type: "run.created", runId, data: { image: spec.image, dependencies: spec.dependencies, sandbox: spec.sandbox, warm: { poolId: warm.poolId } } });
    if (warm.networkId) await this.options.journal.append({ type: "network.created", runId, data: { networkId: warm.networkId, name: warm.networkName } });
    await this.options.journal.append({ type: "container.created", runId, data: { containerId: warm.containerId, name: warm.name } });
    record.state = "created";
    await this.persist(record, { type: "run.state", runId, data: { state: "created" } });
    return toAgentRun(record);
  }

  /** run.start of a warm run: its command is exec'd in the claimed container; the exec's output is the run's log and its exit the run's. */
  private async startWarm(record: RunRecord): Promise<AgentRun> {
    const { runId } = record;
    const claim = this.warmClaims.get(runId);
    if (!claim) {
      throw new RpcError(
        rpcErrorCodes.conflict,
        `Run ${runId} claimed a warm container before the agent restarted, and its environment (held in memory only) is gone; destroy it and create the run again.`,
      );
    }
    const containerId = record.containerId as string;
    let script: string | null;
    try {
      script = claim.launcher ? launchScript(record.spec, claim) : null;
    } catch (error) {
      throw new RpcError(rpcErrorCodes.invalidParams, (error as Error).message);
    }
    if (claim.launcher && script) return this.launchWarm(record, claim.launcher, script);
    // The run is exec'd: the launcher stays idle, and the container goes with the run.
    claim.launcher?.close();
    let session: Awaited<ReturnType<typeof startWarmExec>>;
    try {
      session = await startWarmExec(this.options.runtime, containerId, record.spec, claim);
    } catch (error) {
      throw new RpcError(rpcErrorCodes.internalError, `Starting warm run ${runId} in its pool container failed: ${(error as Error).message}; destroy it and create the run again.`);
    }
    this.warmClaims.delete(runId);
    // The end of its output is the end of the process (the log file's follow reads it; without one, it is drained here).
    const ended = new Promise<void>((resolve) => session.output.once("close", () => resolve()));
    this.warmExits.set(
      runId,
      ended.then(() => session.exitCode()),
    );
    await this.recordStarted(record, containerId);
    if (this.runLogs) this.runLogs.follow(runId, containerId, session);
    else session.output.resume();
    this.supervise(record);
    return toAgentRun(record);
  }

  /**
   * run.start of a warm run whose container has a launcher: the run's environment, workdir and
   * command are written to it and the command replaces the launcher as the container's main
   * process. From here the run is supervised, stopped and logged as a cold run is (its output is
   * the launcher's attach, held since the pool filled); only its container's removal at the end
   * is the warm run's.
   */
  private async launchWarm(record: RunRecord, launcher: InteractiveStream, script: string): Promise<AgentRun> {
    const { runId } = record;
    const containerId = record.containerId as string;
    try {
      await launcher.write(Buffer.from(script));
    } catch (error) {
      launcher.close();
      throw new RpcError(rpcErrorCodes.internalError, `Starting warm run ${runId} through its pool container's launcher failed: ${(error as Error).message}; destroy it and create the run again.`);
    }
    this.warmClaims.delete(runId);
    record.warmLaunched = true;
    await this.recordStarted(record, containerId);
    if (this.runLogs) this.runLogs.follow(runId, containerId, launcher);
    else launcher.output.resume();
    this.supervise(record);
    return toAgentRun(record);
  }

  /** The run is running from now: its start, its deadline (from its timeout) and the journal's container.started. */
  private async recordStarted(record: RunRecord, containerId: string): Promise<void> {
    record.state = "running";
    record.startedAt = new Date().toISOString();
    const timeout = record.spec.resources.timeoutSeconds;
    record.deadline = timeout ? new Date(Date.now() + timeout * 1000).toISOString() : null;
    await this.persist(record, { type: "container.started", runId: record.runId, data: { containerId } });
  }

  /** A connection to a created container's output (stdout and stderr, no stdin); null where the engine has none, and the log file follows the engine's log. */
  private async attachOutput(runId: string, containerId: string): Promise<InteractiveStream | null> {
    const manager = this.options.runtime.interactiveManager();
    if (!manager) return null;
    try {
      return await manager.attach(containerId);
    } catch (error) {
      this.options.log?.(`run ${runId}: its output could not be attached (${(error as Error).message}); its log file follows the engine's log`);
      return null;
    }
  }

  async stop(runId: string, graceSeconds: number): Promise<AgentRun> {
    const record = this.get(runId);
    if (record.state !== "running" || !record.containerId) return toAgentRun(record);
    await this.exclusive(runId, async () => {
      record.state = "stopping";
      await this.persist(record, { type: "run.state", runId, data: { state: "stopping", graceSeconds } });
    });
    if (record.warm && !record.warmLaunched) await stopWarmRun(this.options.runtime, record.containerId, runId, graceSeconds, this.warmExits.get(runId) ?? Promise.resolve());
    else await this.options.runtime.stopContainer(record.containerId, graceSeconds);
    await this.waitForFinal(runId);
    return toAgentRun(this.get(runId));
  }

  async destroy(runId: string): Promise<{ runId: string; removed: string[] }> {
    return this.exclusive(runId, async () => {
      const record = this.records.get(runId);
      if (!record) return { runId, removed: [] };
      const removed = await this.teardown(record, true);
      this.warmClaims.delete(runId);
      if (record.spec.build) removed.push(...(await this.removeBuildLeftovers(record)));
      removed.push(...(await this.workspaces.remove(runId)));
      if (await this.runLogs?.remove(runId)) removed.push(this.runLogs?.fileOf(runId) as string);
      record.state = "destroyed";
      record.finishedAt ??= new Date().toISOString();
      await this.options.journal.append({ type: "run.state", runId, data: { state: "destroyed", removed } });
      this.records.delete(runId);
      this.clearTimer(runId);
      await this.inOrder(runId, () => this.options.store.delete(runId));
      return { runId, removed };
    });
  }

  inspect(runId: string): AgentRun {
    return toAgentRun(this.get(runId));
  }

  containerOf(runId: string): string {
    const record = this.get(runId);
    if (!record.containerId) throw new RpcError(rpcErrorCodes.conflict, `Run ${runId} has no container yet (it is ${record.state}).`);
    return record.containerId;
  }

  /**
   * Removes labelled resources of runs the control plane no longer owns; unlabelled ones are
   * never touched. `dryRun` only reports what would go; `removeOnly` narrows removal to those
   * runs (resources without a run label are then kept too).
   */
  async reconcile(ownedRunIds: string[], { dryRun = false, removeOnly }: { dryRun?: boolean; removeOnly?: string[] } = {}): Promise<ReconciledResource[]> {
    const owned = new Set(ownedRunIds);
    const only = removeOnly ? new Set(removeOnly) : null;
    const removable = (runId: string | null) => !(runId && owned.has(runId)) && (!only || (runId !== null && only.has(runId)));
    const { runtime, hostId } = this.options;
    const found: ReconciledResource[] = [];
    const networks = runtime.networkManager();
    // A pool's idle containers and networks, and spare networks, belong to no run; claimed or taken ones to the run that has them.
    const warmRunOf = (id: string) => [...this.records.values()].find((record) => record.warm && (record.containerId === id || record.networkId === id))?.runId ?? null;
    const networkRunOf = (id: string) => [...this.records.values()].find((record) => record.networkId === id)?.runId ?? null;
    for (const container of await runtime.listContainers({ [labelKeys.managed]: "true", [labelKeys.hostId]: hostId })) {
      if (this.pools.holds(container.id) || this.pools.isStarting(container.name)) continue;
      const runId = container.labels[labelKeys.runId] ?? warmRunOf(container.id);
      if (removable(runId)) found.push({ kind: "container", id: container.id, name: container.name, runId });
    }
    if (networks) {
      for (const network of await networks.listNetworks({ [labelKeys.managed]: "true", [labelKeys.hostId]: hostId })) {
        if (this.pools.holds(network.id) || this.pools.isStarting(network.name) || this.spareNetworks.holds(network.id) || this.spareNetworks.holds(network.name)) continue;
        const runId = networkRunOf(network.id) ?? (ownedByNoRun(network.name) ? null : network.name.startsWith("bailey-") ? network.name.slice("bailey-".length) : null);
        if (removable(runId)) found.push({ kind: "network", id: network.id, name: network.name, runId });
      }
    }
    for (const runId of await runsWithTmpfs(this.tmpfsRoot)) {
      if (removable(runId)) found.push({ kind: "tmpfs", id: runTmpfsDir(this.tmpfsRoot, runId), name: runTmpfsDir(this.tmpfsRoot, runId), runId });
    }
    if (dryRun) return found;
    for (const resource of found) {
      if (resource.kind === "container") await runtime.removeContainer(resource.id);
      else if (resource.kind === "network") await networks?.removeNetwork(resource.id);
      else if (resource.runId) await removeRunTmpfs(this.tmpfsRoot, resource.runId);
    }
    for (const runId of [...this.records.keys()]) {
      if (!removable(runId)) continue;
      this.clearTimer(runId);
      this.records.delete(runId);
      await this.runLogs?.remove(runId);
      await this.inOrder(runId, () => this.options.store.delete(runId));
    }
    for (const resource of found) {
      await this.options.journal.append({ type: "resource.removed", ...(resource.runId ? { runId: resource.runId } : {}), data: { ...resource, reason: "reconcile" } });
    }
    await this.workspaces.removeOrphans((runId) => !this.records.has(runId) && removable(runId));
    await this.releaseOrphanGuards(removable);
    await this.removeOrphanBuilds(removable);
    // Log files whose run record is gone (a crash between the two removals).
    for (const runId of (await this.runLogs?.runIds()) ?? []) if (!this.records.has(runId) && removable(runId)) await this.runLogs?.remove(runId);
    await this.pruneBuildContexts();
    return found;
  }

  /**
   * Host INPUT rules of strict runs this agent no longer owns (a crash between guard and record,
   * or teardown failing). Not in reconcile's answer, whose kinds the protocol fixes; journalled.
   */
  private async releaseOrphanGuards(removable: (runId: string | null) => boolean): Promise<void> {
    if (this.options.runtime.type !== "docker") return;
    let guarded: string[];
    try {
      guarded = await guardedRunIds();
    } catch (error) {
      // An agent without iptables (or not root) never made a guard.
      this.options.log?.(`reconcile: cannot list host input guards (${(error as Error).message})`);
      return;
    }
    for (const runId of guarded) {
      if (!removable(runId) || this.records.get(runId)?.state === "running") continue;
      const rules = await releaseHostInput(runId);
      await this.options.journal.append({
        type: "resource.removed",
        runId,
        data: { kind: "host-input-guard", id: `bailey-run-${runId}`, name: `${rules} iptables INPUT rule(s) of run ${runId}`, reason: "reconcile" },
      });
    }
  }

  private refuseNotAllowed(runId: string, spec: RunSpec): void {
    const allowed = new Set(this.options.allowed ?? []);
    const wanted = [...(spec.sandbox === "none" ? ["sandbox:none"] : []), ...spec.dependencies];
    const refused = wanted.filter((capability) => !allowed.has(capability));
    if (!refused.length) return;
    const line = `BAILEY_ALLOW=${[...allowed, ...refused].join(",")}`;
    throw new RpcError(
      rpcErrorCodes.refused,
      `Host ${this.options.hostId} does not allow ${refused.join(" or ")} (its BAILEY_ALLOW is ${allowed.size ? [...allowed].join(",") : "empty"}); ` +
        `to allow it, put ${line} in /etc/bailey/agent.env on that host and restart the agent (systemctl restart bailey-agent).`,
      { runId, refused, allowed: [...allowed], setting: "BAILEY_ALLOW" },
    );
  }

  private refuseUnsupported(spec: RunSpec): void {
    const { runtime } = this.options;
    if (spec.build) {
      if (!runtime.buildManager()) throw new UnsupportedFeatureError("builds", runtime.type);
      if (!this.buildContexts)
        throw new UnsupportedFeatureError(
          "builds",
          runtime.type,
          "This agent was started without a state directory, where build contexts and build output are kept; start it with BAILEY_AGENT_STATE_DIR.",
        );
    }
    if (spec.secretFiles.length && !supportsBindMounts(runtime)) throw new UnsupportedFeatureError("bind mounts", runtime.type);
    if (spec.dependencies.includes("docker:dind")) {
      // Checked before anything is created: a runtime without them can never run this.
      requireNetworkManager(runtime);
      requireSidecarManager(runtime);
    }
    if (needsEgressProxy(spec) && !(runtime.networkManager() && runtime.sidecarManager() && supportsBindMounts(runtime) && runtime.importImage)) {
      const wanted = [...(spec.grants.length ? ["grants"] : []), ...(spec.network?.policy === "strict" ? ["network.policy strict"] : [])].join(" and ");
      throw new UnsupportedFeatureError(
        "sidecars",
        runtime.type,
        `The ${runtime.type} runtime cannot run the egress proxy sidecar that ${wanted} need (it takes networks, sidecars, bind mounts and an imported image): use Docker or Podman on this host, or run without grants under network.policy open.`,
      );
    }
  }

  /** Not the containers' keys: containers made from the image inherit its labels, and must not pass for the run's own. */
  private builtImageLabels(runId: string): Record<string, string> {
    return { [builtImageLabelKeys.hostId]: this.options.hostId, [builtImageLabelKeys.runId]: runId };
  }

  private labels(runId: string, role: string): Record<string, string> {
    return { [labelKeys.managed]: "true", [labelKeys.runId]: runId, [labelKeys.role]: role, [labelKeys.hostId]: this.options.hostId };
  }

  private get tmpfsRoot(): string {
    return this.options.tmpfsRoot ?? defaultRunTmpfsRoot;
  }

  private async provision(record: RunRecord, registryAuth: RegistryAuth | undefined, secrets: Record<string, string>, grants: GrantCredential[]): Promise<void> {
    const { runtime } = this.options;
    const { spec, runId } = record;
    // First, while nothing else exists yet: a pull can take minutes, and a failed one leaves nothing to undo.
    // A built image is made later instead: a docker:dind run builds on its BuildKit sidecar.
    let image = spec.build ? null : await this.images.ensure({ image: spec.image, policy: spec.pullPolicy, runId, ...(registryAuth ? { auth: registryAuth } : {}) });
    if (image) record.imageDigest = image.digest;
    const strict = spec.network?.policy === "strict";
    const strictSettings = strict ? strictContainerNetworkSettings(runtime.type) : null;
    // Also before anything exists: an agent version's first proxied run imports it (seconds).
    const proxyImage = needsEgressProxy(spec)
      ? await ensureEgressProxyImage({ runtime, ...(this.options.agentBundlePath ? { bundlePath: this.options.agentBundlePath } : {}), ...(this.options.log ? { log: this.options.log } : {}) })
      : null;
    const dind = spec.dependencies.includes("docker:dind");
    const env = runEnvironment(runId, spec, secrets);
    // Every run on its own network, so it cannot reach another run (the default bridge lets it).
    const networks = runtime.networkManager();
    if (networks) {
      // Strict: internal, so the proxy (on it and on the egress network) is the only way out; made for it, never a spare.
      const spare = strict ? null : this.spareNetworks.take();
      // Its id before any await: reconcile finds the taken spare the run's.
      if (spare) record.networkId = spare.id;
      const network = spare ?? (await networks.createNetwork(names.network(runId), this.labels(runId, "network"), strict ? { internal: true } : undefined));
      record.networkId = network.id;
      record.networkName = network.name;
      await this.persist(record, { type: "network.created", runId, data: { networkId: network.id, name: network.name } });
      // Docker's internal bridge still reaches every host address (its rules are in FORWARD only); Podman's has no route there.
      if (strictSettings?.hostInputGuard) await guardHostInput({ runId, networkId: network.id, runtime });
    }
    // The proxy before BuildKit, whose pulls go through it too.
    const runDir = spec.secretFiles.length || proxyImage ? await prepareRunTmpfs(this.tmpfsRoot, runId) : null;
    let egressFiles: RunEgressFiles | null = null;
    let proxyEnv: Record<string, string> = {};
    let extraHosts: string[] = [];
    if (proxyImage && runDir && record.networkName) {
      egressFiles = await writeRunEgressFiles({ runDir, runId, grants, allow: spec.network?.allow ?? [], policy: strict ? "strict" : "open" });
      const proxyAddress = await this.startEgressProxy(record, proxyImage, egressFiles.proxyDir, strict);
      // Podman resolves no names on an internal network: the proxy's alias is pinned to its address there.
      if (strict && runtime.type === "podman") extraHosts = [`${proxyAlias}:${proxyAddress}`];
      proxyEnv = proxyEnvironment({ token: egressFiles.token, direct: dind ? ["buildkit"] : [] });
    }
    if (dind && record.networkName) {
      const image = spec.buildkitImage ?? this.options.buildkitImage;
      const sidecar = await requireSidecarManager(runtime).startSidecar({
        name: names.buildkit(runId),
        image,
        network: record.networkName,
        hostname: "buildkit",
        labels: this.labels(runId, "buildkit"),
        sandbox: spec.sandbox,
        // buildkitd needs privilege to build; it serves the main container over the run's network only.
        privileged: this.options.dindPrivileged !== false,
        command: ["--addr", "tcp://0.0.0.0:1234"],
        // Its pulls through the run's proxy: `allow` hosts are tunnelled; a granted registry would need the run's CA, which it is not given.
        ...(egressFiles ? { env: pickProxyVariables(proxyEnv) } : {}),
        ...(extraHosts.length ? { extraHosts } : {}),
        ...(strictSettings?.dns ? { dns: strictSettings.dns } : {}),
        ...(strictSettings?.sysctls ? { sysctls: strictSettings.sysctls } : {}),
      });
      record.sidecars.push({ role: "buildkit", name: sidecar.name, containerId: sidecar.id, image });
      await this.persist(record, { type: "sidecar.started", runId, data: { role: "buildkit", containerId: sidecar.id, name: sidecar.name, image } });
      await this.waitUntilRunning(sidecar.id, "BuildKit sidecar");
      env.BUILDKIT_HOST = "tcp://buildkit:1234";
    }
    if (spec.build) image = await this.buildImage(record);
    // After the image (a failed pull or build leaves no clone behind), before the container it is mounted in.
    const workspace = await this.workspaces.prepare(runId, spec, this.buildLogs?.writer(runId));
    if (spec.dependencies.includes("docker:host")) env.DOCKER_HOST = `unix://${engineSocketInContainer}`;
    Object.assign(env, proxyEnv);
    const binds: { source: string; target: string }[] = [];
    if (egressFiles) binds.push({ source: egressFiles.caCertFile, target: `${mainCaMountDir}/ca.crt` }, { source: egressFiles.caBundleFile, target: `${mainCaMountDir}/ca-bundle.crt` });
    // Last before the container: the values spend as little time on the host as they can.
    if (spec.secretFiles.length) {
      const secretFilesDir = await writeSecretFiles(this.tmpfsRoot, runId, Object.fromEntries(spec.secretFiles.map((name) => [name, secrets[name] as string])));
      binds.push({ source: secretFilesDir, target: "/run/secrets" });
    }

    if (!image) throw new Error(`Run ${runId} has no image to run`);
    record.containerId = await runtime.createContainer({
      name: names.main(runId),
      image: image.reference,
      ...(spec.command ? { command: spec.command } : {}),
      env,
      labels: { ...spec.labels, ...this.labels(runId, "main") },
      ...(workspace
        ? { workdir: workspace.workdir, user: workspace.user, readWriteBinds: [workspace.bind] }
        : { ...(spec.workdir ? { workdir: spec.workdir } : {}), ...(spec.user ? { user: spec.user } : {}) }),
      sandbox: spec.sandbox,
      resources: spec.resources,
      ...(record.networkName ? { network: record.networkName } : {}),
      ...(strictSettings?.dns ? { dns: strictSettings.dns } : {}),
      ...(strictSettings?.sysctls ? { sysctls: strictSettings.sysctls } : {}),
      ...(extraHosts.length ? { extraHosts } : {}),
      mountEngineSocket: spec.dependencies.includes("docker:host"),
      privileged: dind && this.options.dindPrivileged !== false,
      // An interactive agent: a terminal, and a stdin that stays open for exec.open {attach: true}.
      ...(spec.tty ? { tty: true, openStdin: true } : {}),
      ...(binds.length ? { readOnlyBinds: binds } : {}),
    });
    await this.persist(record, { type: "container.created", runId, data: { containerId: record.containerId, name: names.main(runId) } });
    if (egressFiles) {
      // Mounts are made when the container starts, so the bundle can still be completed now. Without the
      // image's own CAs, clients that trust only SSL_CERT_FILE refuse public hosts: said, not fatal.
      const imageBundle = await readContainerFile(runtime, record.containerId, imageCaBundlePath).catch((error: Error) => {
        this.options.log?.(`run ${runId}: cannot read ${imageCaBundlePath} from its image (${error.message}); its CA bundle holds the run's CA only`);
        return null;
      });
      await writeCaBundle(egressFiles, imageBundle ? imageBundle.toString("utf8") : null);
    }
  }

  /**
   * Builds the run's image (spec.build) before its main container exists; a docker:dind run's
   * BuildKit sidecar is tried first (the agent reaches it at its address on the run network).
   */
  private async buildImage(record: RunRecord): ReturnType<ImagePuller["ensure"]> {
    const { runtime } = this.options;
    const { spec, runId } = record;
    const build = spec.build as NonNullable<RunSpec["build"]>;
    if (spec.image !== buildImageTag(runId)) {
      throw new RunBuildError(`A run with build must have image ${buildImageTag(runId)} (buildImageTag of its run ID), not ${spec.image}.`);
    }
    const sidecar = record.sidecars.find((entry) => entry.role === "buildkit");
    const sidecarAddress = sidecar && record.networkName ? (await runtime.inspectContainer(sidecar.containerId)).ipAddresses?.[record.networkName] : undefined;
    await buildRunImage({
      runtime,
      runId,
      build,
      image: spec.image,
      labels: this.builtImageLabels(runId),
      contexts: this.buildContexts as BuildContextStore,
      logs: this.buildLogs as BuildLogs,
      ...(sidecarAddress ? { buildkitHost: `tcp://${sidecarAddress}:1234` } : {}),
      journal: (event) => this.options.journal.append(event).then(() => undefined),
    });
    const built = await this.images.ensure({ image: spec.image, policy: "never", runId });
    // A built image has no registry digest: the run records the image's ID, which names exactly what ran.
    record.imageDigest = built.digest ?? (await runtime.inspectImage(spec.image))?.id ?? null;
    return built;
  }

  /** The run's built image; best effort (reconcile removes what is left). */
  private async removeBuiltImage(record: RunRecord): Promise<boolean> {
    const builds = this.options.runtime.buildManager();
    const tag = buildImageTag(record.runId);
    const removed = await builds?.removeImage?.(tag).catch((error: Error) => {
      this.options.log?.(`run ${record.runId}: removing its built image ${tag} failed (${error.message}); reconcile retries`);
      return false;
    });
    if (removed) await this.options.journal.append({ type: "resource.removed", runId: record.runId, data: { kind: "image", id: tag, name: tag, reason: "teardown" } });
    return removed ?? false;
  }

  /** A destroyed run's built image, build output, and its context when no other live run uses it. */
  private async removeBuildLeftovers(record: RunRecord): Promise<string[]> {
    const removed: string[] = [];
    if (await this.removeBuiltImage(record)) removed.push(buildImageTag(record.runId));
    if (await this.buildLogs?.remove(record.runId)) removed.push(this.buildLogs?.fileOf(record.runId) as string);
    const context = record.spec.build?.context;
    // Any other run still on this host counts, an exited one too (until it is destroyed).
    const shared = [...this.records.values()].some((other) => other !== record && other.spec.build?.context === context);
    if (context && !shared && (await this.buildContexts?.remove(context))) {
      removed.push(`build context ${context}`);
      await this.options.journal.append({ type: "resource.removed", runId: record.runId, data: { kind: "build-context", id: context, name: context, reason: "teardown" } });
    }
    return removed;
  }

  /** Contexts no run on this host uses and nothing put for a day. */
  private async pruneBuildContexts(): Promise<void> {
    if (!this.buildContexts) return;
    const inUse = new Set([...this.records.values()].flatMap((record) => (record.spec.build?.context ? [record.spec.build.context] : [])));
    for (const name of await this.buildContexts.prune(inUse)) {
      await this.options.journal.append({ type: "resource.removed", data: { kind: "build-context", id: name, name, reason: "unused for 24 h" } });
    }
  }

  /**
   * Built images (bailey-build/<runId>) and build output of runs this agent no longer has.
   * Not in reconcile's answer, whose kinds the protocol fixes; journalled.
   */
  private async removeOrphanBuilds(removable: (runId: string | null) => boolean): Promise<void> {
    const { runtime } = this.options;
    const builds = runtime.buildManager();
    if (builds?.removeImage && builds.builtImages) {
      const { [builtImageLabelKeys.runId]: _runId, ...ofThisHost } = this.builtImageLabels("");
      for (const image of await builds.builtImages(ofThisHost)) {
        const runId = image.labels[builtImageLabelKeys.runId] ?? null;
        if ((runId && this.records.has(runId)) || !removable(runId)) continue;
        // By tag: an image another tag shares (a user re-tagged it) keeps that tag.
        for (const tag of image.tags.filter((name) => /^((localhost|docker\.io)\/)?bailey-build\//.test(name))) {
          if (await builds.removeImage(tag).catch(() => false)) {
            await this.options.journal.append({ type: "resource.removed", ...(runId ? { runId } : {}), data: { kind: "image", id: image.id, name: tag, reason: "reconcile" } });
          }
        }
      }
    }
    for (const runId of (await this.buildLogs?.runIds()) ?? []) {
      if (!this.records.has(runId) && removable(runId)) await this.buildLogs?.remove(runId);
    }
  }

  /** The run's build output (spec.build), or null; run.logs sends it before the container's output. */
  async buildOutput(runId: string): Promise<Buffer | null> {
    this.get(runId);
    return (await this.buildLogs?.read(runId)) ?? null;
  }

  /** Bytes of the run's log file (its build output, then its container's), for the control plane to ship. */
  async readLog(runId: string, offset: number, length: number): Promise<{ data: Buffer; sizeBytes: number; complete: boolean }> {
    const record = this.get(runId);
    if (!this.runLogs) throw new RpcError(rpcErrorCodes.unsupportedFeature, "This agent keeps no log files (it was started without a state directory); start it with BAILEY_AGENT_STATE_DIR.");
    // A build and a workspace clone both write their output there before the container starts.
    const buildLog = (record.spec.build || record.spec.workspace) && this.buildLogs ? this.buildLogs.fileOf(runId) : null;
    const container = record.startedAt ? "started" : finalStates.has(record.state) ? "never" : "not-yet";
    return this.runLogs.read(runId, { offset, length, buildLog, container });
  }

  /** For run.logs.stream: wakes a follower at the run's next log commit instead of its next poll. */
  watchLogCommit(runId: string): LogCommitWatch | null {
    return this.runLogs?.watchCommit(runId) ?? null;
  }

  /** run.results: the run's results as they stand (collected after its main container exited). */
  results(runId: string): ReturnType<RunWorkspaces["results"]> {
    const record = this.get(runId);
    // Ended and never collected: it failed before its container ran (an exit is collected before the run is final).
    const endedBeforeRunning = finalStates.has(record.state) ? (record.error ?? `it is ${record.state}`) : undefined;
    return this.workspaces.results(runId, record.spec, endedBeforeRunning);
  }

  /** run.results.read: bytes of one of the files run.results lists. */
  readResult(runId: string, name: string, offset: number, length: number): ReturnType<RunWorkspaces["read"]> {
    this.get(runId);
    return this.workspaces.read(runId, name, offset, length);
  }

  /** Whether the run has a main container (a run whose build failed never gets one). */
  hasContainer(runId: string): boolean {
    return this.get(runId).containerId !== null;
  }

  /** Starts the run's egress proxy, waits until it listens, and answers its address on the run network. */
  private async startEgressProxy(record: RunRecord, image: string, proxyDir: string, strict: boolean): Promise<string> {
    const { runtime } = this.options;
    const { runId } = record;
    const name = names.egressProxy(runId);
    const sidecar = await startEgressSidecar({
      runtime,
      name,
      image,
      labels: this.labels(runId, "egress-proxy"),
      runNetwork: record.networkName as string,
      egressNetwork: strict ? (this.options.egressNetwork ?? defaultEgressNetwork(runtime)) : null,
      proxyDir,
      ...(this.options.egressExtraCaFile ? { extraCaFile: this.options.egressExtraCaFile } : {}),
      readyTimeoutMs: this.options.sidecarReadyTimeoutMs,
      onEvent: (event) => this.journalEgress(record, event),
      ...(this.options.log ? { log: this.options.log } : {}),
    });
    this.egressFollowers.set(runId, sidecar.follower);
    record.sidecars.push({ role: "egress-proxy", name, containerId: sidecar.containerId, image });
    await this.persist(record, { type: "sidecar.started", runId, data: { role: "egress-proxy", containerId: sidecar.containerId, name, image } });
    const address = (await runtime.inspectContainer(sidecar.containerId)).ipAddresses?.[record.networkName as string];
    if (!address) throw new Error(`The egress proxy ${name} has no address on the run network ${record.networkName}; the engine did not attach it (docker inspect ${name}).`);
    return address;
  }

  /**
   * One proxy event into the journal. The record first remembers when (after the proxy logged
   * it), for the follow after an agent restart: a crash in between loses this event rather than
   * journalling it twice.
   */
  private async journalEgress(record: RunRecord, event: RunEgressEvent): Promise<void> {
    record.egressEventsAt = new Date().toISOString();
    await this.save(record);
    await this.options.journal.append({ type: event.type, runId: record.runId, data: event.data });
  }

  /**
   * After an agent restart: follows the proxy's log again from the whole second after the last
   * event's journalling (engines take `since` in whole seconds). At most once: an event the proxy
   * logged in that same second but the agent had not journalled yet when it stopped is lost;
   * none is journalled twice.
   */
  private async followEgressAgain(record: RunRecord): Promise<void> {
    const proxy = record.sidecars.find((sidecar) => sidecar.role === "egress-proxy");
    if (!proxy || this.egressFollowers.has(record.runId)) return;
    const last = record.egressEventsAt ? Date.parse(record.egressEventsAt) : Number.NaN;
    const since = Number.isNaN(last) ? undefined : new Date((Math.floor(last / 1000) + 1) * 1000);
    try {
      const follower = await followEgressEvents({
        runtime: this.options.runtime,
        containerId: proxy.containerId,
        ...(since ? { since } : {}),
        onEvent: (event) => this.journalEgress(record, event),
        ...(this.options.log ? { log: this.options.log } : {}),
      });
      this.egressFollowers.set(record.runId, follower);
    } catch (error) {
      this.options.log?.(`run ${record.runId}: cannot follow its egress proxy again (${(error as Error).message}); its egress events from now on are not journalled`);
    }
  }

  private async waitUntilRunning(containerId: string, what: string): Promise<void> {
    const deadline = Date.now() + this.options.sidecarReadyTimeoutMs;
    for (;;) {
      const info = await this.options.runtime.inspectContainer(containerId);
      if (info.running) return;
      if (info.status === "exited" || info.status === "dead") {
        throw new Error(`The ${what} exited with code ${info.exitCode} before it was ready; check its image and command.`);
      }
      if (Date.now() > deadline) {
        throw new Error(`The ${what} was not running after ${this.options.sidecarReadyTimeoutMs} ms (BAILEY_SIDECAR_READY_TIMEOUT_MS); check that its image starts on this host.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Removes the run's sidecars and network (and, when asked, its main container); journals each. An exited main container is detached from the network and keeps its logs. */
  private async teardown(record: RunRecord, includeMain = false): Promise<string[]> {
    const { runtime } = this.options;
    const removed: string[] = [];
    const runId = record.runId;
    if (includeMain) {
      await runtime.removeContainer(record.containerId ?? names.main(runId));
      removed.push(names.main(runId));
    }
    for (const sidecar of await runtime.listContainers({ [labelKeys.runId]: runId, [labelKeys.role]: "buildkit" })) {
      await runtime.removeContainer(sidecar.id);
      removed.push(sidecar.name);
      await this.options.journal.append({ type: "sidecar.stopped", runId, data: { role: "buildkit", containerId: sidecar.id, name: sidecar.name } });
    }
    for (const proxy of await runtime.listContainers({ [labelKeys.runId]: runId, [labelKeys.role]: "egress-proxy" })) {
      // Stopped first, and its log read to the end: the connections the run's end closed are journalled before the log goes.
      await runtime.stopContainer(proxy.id, 2).catch(() => undefined);
      await this.drainEgressEvents(runId);
      await runtime.removeContainer(proxy.id);
      removed.push(proxy.name);
      await this.options.journal.append({ type: "sidecar.stopped", runId, data: { role: "egress-proxy", containerId: proxy.id, name: proxy.name } });
    }
    this.egressFollowers.get(runId)?.stop();
    this.egressFollowers.delete(runId);
    if (!includeMain && !record.containerId) {
      // A main container created by a crashed provisioning step, before it was recorded.
      for (const main of await runtime.listContainers({ [labelKeys.runId]: runId, [labelKeys.role]: "main" })) {
        await runtime.removeContainer(main.id);
        removed.push(main.name);
      }
    }
    // By name as well: a crash between creating the network and recording it leaves no id.
    const networks = runtime.networkManager();
    if (networks) {
      // A spare it took or a pool's it claimed has a name of its own.
      const name = record.networkName ?? names.network(runId);
      await networks.removeNetwork(record.networkId ?? name);
      removed.push(name);
      await this.options.journal.append({ type: "network.removed", runId, data: { networkId: record.networkId, name } });
    }
    if (record.spec.network?.policy === "strict" && runtime.type === "docker") {
      // Best effort, so the secrets below still go: reconcile releases what is left (guardedRunIds).
      await releaseHostInput(runId).catch((error: Error) => this.options.log?.(`run ${runId}: releasing its host input guard failed (${error.message}); reconcile retries`));
    }
    // The secret files go once the main container no longer runs (an exited one keeps only its logs).
    if (await removeRunTmpfs(this.tmpfsRoot, runId)) {
      removed.push(runTmpfsDir(this.tmpfsRoot, runId));
      const dir = runTmpfsDir(this.tmpfsRoot, runId);
      await this.options.journal.append({ type: "resource.removed", runId, data: { kind: "tmpfs", id: dir, name: dir, reason: "teardown" } });
    }
    return removed;
  }

  /** Waits (a few seconds at most) for the proxy's log to end, so its last events are journalled. */
  private async drainEgressEvents(runId: string): Promise<void> {
    const follower = this.egressFollowers.get(runId);
    if (!follower) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([follower.done, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
  }

  private supervise(record: RunRecord): void {
    if (!record.containerId || this.supervised.has(record.runId)) return;
    this.supervised.add(record.runId);
    const { runId, containerId } = record;
    if (record.deadline) {
      const delay = Math.max(0, new Date(record.deadline).getTime() - Date.now());
      this.timers.set(
        runId,
        setTimeout(() => void this.timeOut(runId), delay),
      );
    }
    // A warm run ends with its exec, not its container (which runs the pool's idle command).
    const exited = this.warmExits.get(runId) ?? this.options.runtime.waitContainer(containerId);
    exited
      .then(
        (exitCode) => this.onExit(runId, exitCode),
        (error: Error) => this.onExit(runId, null, error.message),
      )
      // An engine error while ending one run must not end the agent (and every other run's supervision with it).
      .catch((error: Error) => this.options.log?.(`run ${runId}: recording its end failed (${error.message}); the next reconcile removes what is left`));
  }

  private async timeOut(runId: string): Promise<void> {
    if (this.closed) return;
    // Under the run's lock, as onExit journals container.exited: an exit racing the deadline then
    // finds run.timed_out journaled before it (or the timeout finds the run ended and does nothing),
    // so the control plane never reads an exit before the timeout that the agent's final state names.
    const containerId = await this.exclusive(runId, async () => {
      const record = this.records.get(runId);
      if (record?.state !== "running" || !record.containerId) return null;
      record.timedOut = true;
      await this.persist(record, { type: "run.timed_out", runId, data: { timeoutSeconds: record.spec.resources.timeoutSeconds } });
      return record.containerId;
    });
    if (!containerId) return;
    const warmExit = this.warmExits.get(runId);
    if (warmExit) await stopWarmRun(this.options.runtime, containerId, runId, 10, warmExit);
    else await this.options.runtime.stopContainer(containerId, 10).catch(() => undefined);
  }

  private async onExit(runId: string, exitCode: number | null, error?: string): Promise<void> {
    if (this.closed) return;
    this.supervised.delete(runId);
    this.clearTimer(runId);
    await this.exclusive(runId, async () => {
      const record = this.records.get(runId);
      if (!record || finalStates.has(record.state)) return;
      record.exitCode = exitCode;
      record.finishedAt = new Date().toISOString();
      await this.options.journal.append({ type: "container.exited", runId, data: { exitCode, ...(error ? { error } : {}) } });
      // A warm container is never reused, and keeps nothing the run needs (its output went to the log file): it goes now, before its network.
      // An engine that cannot remove it now (a stop still under way) must not leave the run unended: reconcile removes it later.
      if (record.warm && record.containerId) {
        await this.options.runtime
          .removeContainer(record.containerId)
          .catch((removeError: Error) => this.options.log?.(`run ${runId}: its warm container could not be removed yet (${removeError.message}); the next reconcile removes it`));
      }
      this.warmExits.delete(runId);
      await this.teardown(record);
      // Before the run is reported ended: by then its results are complete (or say what is missing and why).
      await this.workspaces.collect(runId, record.spec);
      record.state = record.timedOut ? "timed_out" : exitCode === null ? "failed" : "exited";
      if (error) record.error = error;
      await this.persist(record, { type: "run.state", runId, data: { state: record.state, exitCode } });
    });
  }

  private async resumeOne(record: RunRecord): Promise<void> {
    const { runtime } = this.options;
    if (record.state === "provisioning") {
      await this.teardown(record, true);
      if (record.spec.build) {
        await this.removeBuiltImage(record);
        await removeBuildTempDirs(record.runId);
      }
      await this.workspaces.remove(record.runId);
      record.state = "failed";
      record.error = "The agent stopped while provisioning this run; everything it had created was removed.";
      record.finishedAt = new Date().toISOString();
      await this.persist(record, { type: "run.failed", runId: record.runId, data: { error: record.error, during: "provisioning" } });
      return;
    }
    // A launched warm run's command is its container's main process: taken up below as a cold run's is.
    if (record.warm && !record.warmLaunched && (record.state === "running" || record.state === "stopping")) {
      // Its exec cannot be followed again from a new process (nor its exit code learnt): it ends here, its container removed.
      await this.options.runtime.removeContainer(record.containerId ?? "").catch(() => undefined);
      // Its container gone, its log file is marked complete with what it holds.
      if (record.containerId) this.runLogs?.follow(record.runId, record.containerId);
      queueMicrotask(() => void this.onExit(record.runId, null, "The agent restarted while this warm-pool run ran; its process could not be followed again and was stopped."));
      return;
    }
    if (record.state === "created") await this.followEgressAgain(record);
    // Its log file picks up where it was committed; an ended run's container still has the rest.
    if (record.startedAt && record.containerId) this.runLogs?.follow(record.runId, record.containerId);
    if (record.state !== "running" && record.state !== "stopping") return;
    await this.followEgressAgain(record);
    const info = record.containerId ? await runtime.inspectContainer(record.containerId).catch(() => null) : null;
    if (info?.running) {
      this.supervise(record);
      return;
    }
    // It ended while nobody watched: settle it now, from what the engine remembers.
    queueMicrotask(() => void this.onExit(record.runId, info?.exitCode ?? null, info ? undefined : "The run's container disappeared while the agent was down."));
  }

  private waitForFinal(runId: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const record = this.records.get(runId);
        if (!record || finalStates.has(record.state)) return resolve();
        setTimeout(check, 50);
      };
      check();
    });
  }

  private clearTimer(runId: string): void {
    clearTimeout(this.timers.get(runId));
    this.timers.delete(runId);
  }

  private get(runId: string): RunRecord {
    const record = this.records.get(runId);
    if (!record) throw new RpcError(rpcErrorCodes.runNotFound, `Run ${runId} is not on this host.`);
    return record;
  }

  private async persist(record: RunRecord, event: NewJournalEvent): Promise<void> {
    this.records.set(record.runId, record);
    await this.save(record);
    await this.options.journal.append(event);
    if (this.options.stepDelayMs && record.state === "provisioning") await new Promise((resolve) => setTimeout(resolve, this.options.stepDelayMs));
  }

  /** Saves the record unless the run is gone by then (a late egress event after destroy must not bring it back). */
  private save(record: RunRecord): Promise<void> {
    return this.inOrder(record.runId, async () => {
      if (this.records.get(record.runId) === record) await this.options.store.save(record);
    });
  }

  private inOrder(runId: string, step: () => Promise<void>): Promise<void> {
    const next = (this.saves.get(runId) ?? Promise.resolve()).then(step, step);
    const settled = next.catch(() => undefined);
    this.saves.set(runId, settled);
    void settled.then(() => {
      if (this.saves.get(runId) === settled) this.saves.delete(runId);
    });
    return next;
  }

  /** One operation per run at a time; different runs proceed in parallel. */
  private exclusive<T>(runId: string, step: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(runId) ?? Promise.resolve();
    const next = previous.then(step, step);
    const settled = next.catch(() => undefined);
    this.locks.set(runId, settled);
    void settled.then(() => {
      if (this.locks.get(runId) === settled) this.locks.delete(runId);
    });
    return next;
  }
}

/** The values for what the spec names; a name without one is refused before anything is created (never echoing a value). */
function secretValuesFor(runId: string, spec: RunSpec, credentials: RunCredentials | undefined): Record<string, string> {
  const given = credentials?.secrets ?? {};
  const wanted = [...new Set([...Object.values(spec.secrets), ...spec.secretFiles])];
  const missing = wanted.filter((name) => !Object.hasOwn(given, name));
  if (missing.length) {
    throw new RpcError(rpcErrorCodes.invalidParams, `run.create for ${runId} names secrets it carries no value for: ${missing.join(", ")}; send them in credentials.secrets.`, { runId, missing });
  }
  return Object.fromEntries(wanted.map((name) => [name, given[name] as string]));
}

/** The engine's socket starts containers on any network: a strict run with it would have a way out around its proxy. */
function refuseUnenforceableStrict(runId: string, spec: RunSpec): void {
  if (spec.network?.policy !== "strict" || !spec.dependencies.includes("docker:host")) return;
  throw new RpcError(
    rpcErrorCodes.invalidParams,
    `Run ${runId} asks for network.policy strict and docker:host together, and strict egress cannot hold with the host engine's socket (any container it starts has its own way out): use docker:dind instead, or network.policy open.`,
    { runId },
  );
}

/** The credentials of exactly the grants the spec names, in its order (the proxy's first match wins); anything else is refused before anything is created. */
function grantCredentialsFor(runId: string, spec: RunSpec, credentials: RunCredentials | undefined): GrantCredential[] {
  const given = credentials?.grants ?? [];
  const byName = new Map(given.map((grant) => [grant.name, grant]));
  const missing = spec.grants.filter((name) => !byName.has(name));
  // The workspace's grant may be for the host's git only (the clone and push), not the run's proxy.
  const unnamed = given.filter((grant) => !spec.grants.includes(grant.name) && grant.name !== spec.workspace?.grant).map((grant) => grant.name);
  if (missing.length || unnamed.length || byName.size !== given.length) {
    const problems = [
      ...(missing.length ? [`names grants it carries no credentials for: ${missing.join(", ")} (send them in credentials.grants)`] : []),
      ...(unnamed.length ? [`carries credentials for grants its spec does not name: ${unnamed.join(", ")} (add them to spec.grants or leave them out)`] : []),
      ...(byName.size !== given.length ? ["carries two credentials for one grant name"] : []),
    ];
    throw new RpcError(rpcErrorCodes.invalidParams, `run.create for ${runId} ${problems.join("; ")}.`, { runId, missing, unnamed });
  }
  return spec.grants.map((name) => byName.get(name) as GrantCredential);
}

/** The proxy URL and its exceptions, without the CA settings (paths in the main container only). */
function pickProxyVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => /^(https?_proxy|no_proxy)$/i.test(name)));
}

function specHash(spec: RunSpec): string {
  return createHash("sha256").update(JSON.stringify(spec)).digest("hex");
}

function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof UnsupportedFeatureError || error instanceof SandboxedEngineSocketError || error instanceof SandboxUnavailableError)
    return new RpcError(rpcErrorCodes.unsupportedFeature, error.message);
  return new RpcError(rpcErrorCodes.internalError, (error as Error).message);
}

/** A run's record as run.create makes it, before anything exists (a warm run's claimed container and network given). */
function newRunRecord(runId: string, spec: RunSpec, made: Partial<Pick<RunRecord, "containerId" | "networkId" | "networkName" | "imageDigest" | "warm">> = {}): RunRecord {
  return {
    runId,
    state: "provisioning",
    containerId: null,
    networkId: null,
    networkName: null,
    sidecars: [],
    exitCode: null,
    error: null,
    imageDigest: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    spec,
    deadline: null,
    timedOut: false,
    ...made,
  };
}

/** The main process's environment: the spec's, its secrets' values, and BAILEY_RUN_ID (a warm run's exec gets the same). */
function runEnvironment(runId: string, spec: RunSpec, secrets: Record<string, string>): Record<string, string> {
  return { ...spec.env, ...Object.fromEntries(Object.entries(spec.secrets).map(([envName, secret]) => [envName, secrets[secret] as string])), BAILEY_RUN_ID: runId };
}
