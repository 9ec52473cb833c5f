import { createHash } from "node:crypto";
import { RpcError, rpcErrorCodes, type AgentRun, type RegistryAuth, type RunCredentials, type RunSpec } from "@bailey/protocol";
import { requireNetworkManager, requireSidecarManager, supportsBindMounts, UnsupportedFeatureError, type Runtime } from "@bailey/runtime";
import { ImagePuller } from "../images/image-puller";
import type { Journal, NewJournalEvent } from "../journal/journal";
import { labelKeys, names, toAgentRun, type RunRecord } from "./run-record";
import type { RunStore } from "./run-store";
import { defaultRunTmpfsRoot, removeRunTmpfs, runTmpfsDir, runsWithTmpfs, writeSecretFiles } from "./run-tmpfs";

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
  /** Fault injection: a pause after each provisioning step. */
  stepDelayMs?: number;
  log?: (line: string) => void;
}

export type ReconciledResource = { kind: "container" | "network" | "tmpfs"; id: string; name: string; runId: string | null };

const finalStates = new Set<AgentRun["state"]>(["exited", "failed", "timed_out", "destroyed"]);

/**
 * Grants and a strict egress policy need the run's egress proxy, which this agent does not start
 * yet: such a run is refused before anything exists, never run with open egress and no credentials.
 */
function refuseUnenforcedEgress(runId: string, spec: RunSpec, credentials?: RunCredentials): void {
  const wanted = [...(spec.grants.length || credentials?.grants?.length ? ["grants"] : []), ...(spec.network?.policy === "strict" ? ["network.policy strict"] : [])];
  if (!wanted.length) return;
  throw new RpcError(
    rpcErrorCodes.unsupportedFeature,
    `This agent cannot enforce ${wanted.join(" or ")} yet (its egress proxy is not wired to runs): run without them, with network.policy open and no grants.`,
    { runId, unsupported: wanted },
  );
}

/**
 * Owns every run on this host: provisions its resources, supervises the main container,
 * tears down what the run no longer needs, and journals each step before answering.
 */
export class RunManager {
  private readonly records = new Map<string, RunRecord>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly supervised = new Set<string>();
  /** Shared with image.pull pre-pulls, so a run and a pre-pull of one image make one pull. */
  readonly images: ImagePuller;

  constructor(private readonly options: RunManagerOptions) {
    this.images = new ImagePuller({ runtime: options.runtime, journal: options.journal, pullTimeoutMs: options.pullTimeoutMs ?? 15 * 60_000, ...(options.log ? { log: options.log } : {}) });
  }

  /** Loads the runs a previous agent process left and takes up their supervision. */
  async resume(): Promise<void> {
    for (const record of await this.options.store.loadAll()) {
      this.records.set(record.runId, record);
      await this.exclusive(record.runId, () => this.resumeOne(record));
    }
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
      refuseUnenforcedEgress(runId, spec, credentials);
      const secrets = secretValuesFor(runId, spec, credentials);
      try {
        this.refuseUnsupported(spec);
      } catch (error) {
        throw toRpcError(error);
      }
      const record: RunRecord = {
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
      };
      // Recorded before anything exists, so a crash mid-provisioning is found and undone on restart.
      await this.persist(record, { type: "run.created", runId, data: { image: spec.image, dependencies: spec.dependencies, sandbox: spec.sandbox } });
      try {
        await this.provision(record, registryAuth, secrets);
      } catch (error) {
        // Everything provisioning made goes, the main container too if it got that far.
        await this.teardown(record, true);
        record.state = "failed";
        record.error = (error as Error).message;
        record.finishedAt = new Date().toISOString();
        await this.persist(record, { type: "run.failed", runId, data: { error: record.error, during: "provisioning" } });
        throw error instanceof RpcError ? error : new RpcError(rpcErrorCodes.internalError, `Provisioning run ${runId} failed, and what it had created was removed: ${record.error}`);
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
      await this.options.runtime.startContainer(record.containerId);
      record.state = "running";
      record.startedAt = new Date().toISOString();
      const timeout = record.spec.resources.timeoutSeconds;
      record.deadline = timeout ? new Date(Date.now() + timeout * 1000).toISOString() : null;
      await this.persist(record, { type: "container.started", runId, data: { containerId: record.containerId } });
      this.supervise(record);
      return toAgentRun(record);
    });
  }

  async stop(runId: string, graceSeconds: number): Promise<AgentRun> {
    const record = this.get(runId);
    if (record.state !== "running" || !record.containerId) return toAgentRun(record);
    await this.exclusive(runId, async () => {
      record.state = "stopping";
      await this.persist(record, { type: "run.state", runId, data: { state: "stopping", graceSeconds } });
    });
    await this.options.runtime.stopContainer(record.containerId, graceSeconds);
    await this.waitForFinal(runId);
    return toAgentRun(this.get(runId));
  }

  async destroy(runId: string): Promise<{ runId: string; removed: string[] }> {
    return this.exclusive(runId, async () => {
      const record = this.records.get(runId);
      if (!record) return { runId, removed: [] };
      const removed = await this.teardown(record, true);
      record.state = "destroyed";
      record.finishedAt ??= new Date().toISOString();
      await this.options.journal.append({ type: "run.state", runId, data: { state: "destroyed", removed } });
      this.records.delete(runId);
      this.clearTimer(runId);
      await this.options.store.delete(runId);
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
    for (const container of await runtime.listContainers({ [labelKeys.managed]: "true", [labelKeys.hostId]: hostId })) {
      const runId = container.labels[labelKeys.runId] ?? null;
      if (removable(runId)) found.push({ kind: "container", id: container.id, name: container.name, runId });
    }
    if (networks) {
      for (const network of await networks.listNetworks({ [labelKeys.managed]: "true", [labelKeys.hostId]: hostId })) {
        const runId = network.name.startsWith("bailey-") ? network.name.slice("bailey-".length) : null;
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
      await this.options.store.delete(runId);
    }
    for (const resource of found) {
      await this.options.journal.append({ type: "resource.removed", ...(resource.runId ? { runId: resource.runId } : {}), data: { ...resource, reason: "reconcile" } });
    }
    return found;
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
    if (spec.secretFiles.length && !supportsBindMounts(runtime)) throw new UnsupportedFeatureError("bind mounts", runtime.type);
    if (spec.dependencies.includes("docker:dind")) {
      // Checked before anything is created: a runtime without them can never run this.
      requireNetworkManager(runtime);
      requireSidecarManager(runtime);
    }
  }

  private labels(runId: string, role: string): Record<string, string> {
    return { [labelKeys.managed]: "true", [labelKeys.runId]: runId, [labelKeys.role]: role, [labelKeys.hostId]: this.options.hostId };
  }

  private get tmpfsRoot(): string {
    return this.options.tmpfsRoot ?? defaultRunTmpfsRoot;
  }

  private async provision(record: RunRecord, registryAuth: RegistryAuth | undefined, secrets: Record<string, string>): Promise<void> {
    const { runtime } = this.options;
    const { spec, runId } = record;
    // First, while nothing else exists yet: a pull can take minutes, and a failed one leaves nothing to undo.
    const image = await this.images.ensure({ image: spec.image, policy: spec.pullPolicy, runId, ...(registryAuth ? { auth: registryAuth } : {}) });
    record.imageDigest = image.digest;
    const dind = spec.dependencies.includes("docker:dind");
    const env: Record<string, string> = { ...spec.env, ...Object.fromEntries(Object.entries(spec.secrets).map(([envName, secret]) => [envName, secrets[secret] as string])), BAILEY_RUN_ID: runId };
    // Every run on its own network, so it cannot reach another run (the default bridge lets it).
    const networks = runtime.networkManager();
    if (networks) {
      const network = await networks.createNetwork(names.network(runId), this.labels(runId, "network"));
      record.networkId = network.id;
      record.networkName = network.name;
      await this.persist(record, { type: "network.created", runId, data: { networkId: network.id, name: network.name } });
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
      });
      record.sidecars.push({ role: "buildkit", name: sidecar.name, containerId: sidecar.id, image });
      await this.persist(record, { type: "sidecar.started", runId, data: { role: "buildkit", containerId: sidecar.id, name: sidecar.name, image } });
      await this.waitUntilRunning(sidecar.id, "BuildKit sidecar");
      env.BUILDKIT_HOST = "tcp://buildkit:1234";
    }
    if (spec.dependencies.includes("docker:host")) env.DOCKER_HOST = "unix:///var/run/docker.sock";
    // Last before the container: the values spend as little time on the host as they can.
    const secretFilesDir = spec.secretFiles.length ? await writeSecretFiles(this.tmpfsRoot, runId, Object.fromEntries(spec.secretFiles.map((name) => [name, secrets[name] as string]))) : null;

    record.containerId = await runtime.createContainer({
      name: names.main(runId),
      image: image.reference,
      ...(spec.command ? { command: spec.command } : {}),
      env,
      labels: { ...spec.labels, ...this.labels(runId, "main") },
      ...(spec.workdir ? { workdir: spec.workdir } : {}),
      sandbox: spec.sandbox,
      resources: spec.resources,
      ...(record.networkName ? { network: record.networkName } : {}),
      mountEngineSocket: spec.dependencies.includes("docker:host"),
      privileged: dind && this.options.dindPrivileged !== false,
      ...(secretFilesDir ? { readOnlyBinds: [{ source: secretFilesDir, target: "/run/secrets" }] } : {}),
    });
    await this.persist(record, { type: "container.created", runId, data: { containerId: record.containerId, name: names.main(runId) } });
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
      await networks.removeNetwork(record.networkId ?? names.network(runId));
      removed.push(names.network(runId));
      await this.options.journal.append({ type: "network.removed", runId, data: { networkId: record.networkId, name: names.network(runId) } });
    }
    // The secret files go once the main container no longer runs (an exited one keeps only its logs).
    if (await removeRunTmpfs(this.tmpfsRoot, runId)) {
      removed.push(runTmpfsDir(this.tmpfsRoot, runId));
      const dir = runTmpfsDir(this.tmpfsRoot, runId);
      await this.options.journal.append({ type: "resource.removed", runId, data: { kind: "tmpfs", id: dir, name: dir, reason: "teardown" } });
    }
    return removed;
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
    this.options.runtime.waitContainer(containerId).then(
      (exitCode) => this.onExit(runId, exitCode),
      (error: Error) => this.onExit(runId, null, error.message),
    );
  }

  private async timeOut(runId: string): Promise<void> {
    const record = this.records.get(runId);
    if (record?.state !== "running" || !record.containerId) return;
    record.timedOut = true;
    await this.persist(record, { type: "run.timed_out", runId, data: { timeoutSeconds: record.spec.resources.timeoutSeconds } });
    await this.options.runtime.stopContainer(record.containerId, 10).catch(() => undefined);
  }

  private async onExit(runId: string, exitCode: number | null, error?: string): Promise<void> {
    this.supervised.delete(runId);
    this.clearTimer(runId);
    await this.exclusive(runId, async () => {
      const record = this.records.get(runId);
      if (!record || finalStates.has(record.state)) return;
      record.exitCode = exitCode;
      record.finishedAt = new Date().toISOString();
      await this.options.journal.append({ type: "container.exited", runId, data: { exitCode, ...(error ? { error } : {}) } });
      await this.teardown(record);
      record.state = record.timedOut ? "timed_out" : exitCode === null ? "failed" : "exited";
      if (error) record.error = error;
      await this.persist(record, { type: "run.state", runId, data: { state: record.state, exitCode } });
    });
  }

  private async resumeOne(record: RunRecord): Promise<void> {
    const { runtime } = this.options;
    if (record.state === "provisioning") {
      await this.teardown(record, true);
      record.state = "failed";
      record.error = "The agent stopped while provisioning this run; everything it had created was removed.";
      record.finishedAt = new Date().toISOString();
      await this.persist(record, { type: "run.failed", runId: record.runId, data: { error: record.error, during: "provisioning" } });
      return;
    }
    if (record.state !== "running" && record.state !== "stopping") return;
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
    await this.options.store.save(record);
    await this.options.journal.append(event);
    if (this.options.stepDelayMs && record.state === "provisioning") await new Promise((resolve) => setTimeout(resolve, this.options.stepDelayMs));
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

function specHash(spec: RunSpec): string {
  return createHash("sha256").update(JSON.stringify(spec)).digest("hex");
}

function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof UnsupportedFeatureError) return new RpcError(rpcErrorCodes.unsupportedFeature, error.message);
  return new RpcError(rpcErrorCodes.internalError, (error as Error).message);
}
