import { Readable } from "node:stream";
import { ContainerNotFoundError, ImagePullError, UnsupportedFeatureError } from "../../errors";
import { parseImageReference, repoDigestFor } from "../../image-reference";
import type { ContainerInfo, ContainerSpec, ContainerSummary, ExecOptions, ExecResult, ImageDetails, LogChunk, LogOptions, PullOptions, PullResult, Runtime, Sandbox } from "../../types";
import { classifyPullFailure } from "../../pull-errors";
import { runCli, runCliChecked } from "./cli";

interface AppleContainerJson {
  configuration?: { id?: string; image?: { reference?: string }; labels?: Record<string, string> };
  status?: string;
  exitCode?: number;
}

/**
 * Apple's `container` CLI on macOS: each container is its own lightweight VM, which is
 * its sandbox. It has no user-defined networks or sidecars, so those managers are null.
 */
export class AppleRuntime implements Runtime {
  readonly type = "apple" as const;

  constructor(private readonly binary = "container") {}

  async ping(): Promise<void> {
    await runCliChecked(this.binary, ["system", "status"]);
  }

  /** Every Apple container runs in its own VM: the sandbox is always there. */
  async sandboxAvailable(): Promise<boolean> {
    return true;
  }

  /** Each container is a VM with no engine socket on the host to share. */
  async sandboxedEngineSocketAvailable(): Promise<boolean> {
    return false;
  }

  async engineSocketFor(_sandbox: Sandbox): Promise<string> {
    throw new UnsupportedFeatureError("docker:host", "apple");
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    if (spec.mountEngineSocket) await this.engineSocketFor(spec.sandbox);
    if (spec.network) throw new Error("The apple runtime has no user-defined networks; a run needing one cannot be placed here.");
    if (spec.readOnlyBinds?.length || spec.readWriteBinds?.length) throw new UnsupportedFeatureError("bind mounts", "apple");
    const args = ["create", "--name", spec.name];
    for (const [key, value] of Object.entries(spec.labels)) args.push("--label", `${key}=${value}`);
    for (const [key, value] of Object.entries(spec.env ?? {})) args.push("--env", `${key}=${value}`);
    if (spec.workdir) args.push("--workdir", spec.workdir);
    if (spec.user) args.push("--user", spec.user);
    if (spec.resources?.cpus) args.push("--cpus", String(Math.max(1, Math.ceil(spec.resources.cpus))));
    if (spec.resources?.memoryBytes) args.push("--memory", `${Math.ceil(spec.resources.memoryBytes / 1024 ** 2)}M`);
    if (spec.tty) args.push("--tty");
    args.push(spec.image, ...(spec.command ?? []));
    const stdout = await runCliChecked(this.binary, args);
    return stdout.trim().split("\n").at(-1) || spec.name;
  }

  async startContainer(id: string): Promise<void> {
    await this.checked(id, ["start", id]);
  }

  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.checked(id, ["stop", "--time", String(graceSeconds), id]);
  }

  /** The CLI has no blocking wait, so poll until the container stops. */
  async waitContainer(id: string): Promise<number> {
    for (;;) {
      const info = await this.inspectContainer(id);
      if (!info.running && info.status !== "created") return info.exitCode ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async removeContainer(id: string): Promise<void> {
    const result = await runCli(this.binary, ["delete", "--force", id]);
    if (result.exitCode !== 0 && !/not found/i.test(result.stderr)) throw new Error(`container delete failed: ${result.stderr.trim()}`);
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    const stdout = await this.checked(id, ["inspect", id]);
    const [raw] = JSON.parse(stdout) as AppleContainerJson[];
    if (!raw) throw new ContainerNotFoundError(id);
    return toInfo(raw, id);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const rows = JSON.parse(await runCliChecked(this.binary, ["list", "--all", "--format", "json"])) as AppleContainerJson[];
    return rows
      .map((row) => toInfo(row, row.configuration?.id ?? ""))
      .filter((info) => Object.entries(labels).every(([key, value]) => info.labels[key] === value))
      .map(({ id, name, status, labels: own }) => ({ id, name, status, labels: own }));
  }

  async exec(id: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const result = await runCli(this.binary, ["exec", ...(options.tty ? ["--tty"] : []), id, ...command]);
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  async logs(id: string, options: LogOptions = {}): Promise<Readable & AsyncIterable<LogChunk>> {
    const stdout = await this.checked(id, ["logs", ...(options.tail !== undefined ? ["-n", String(options.tail)] : []), id]);
    return Readable.from([{ stream: "stdout" as const, data: Buffer.from(stdout) }]);
  }

  async imageExists(image: string): Promise<boolean> {
    return (await runCli(this.binary, ["image", "inspect", image])).exitCode === 0;
  }

  /** `container image pull`; the CLI keeps its own logins, so per-pull credentials are refused with what to run instead. */
  async pullImage(reference: string, options: PullOptions = {}): Promise<PullResult> {
    const { registry } = parseImageReference(reference);
    if (options.auth) {
      throw new ImagePullError(reference, registry, "unauthorized", `the Apple container CLI takes no per-pull credentials; run \`container registry login ${registry}\` on the host once`);
    }
    const before = await this.inspectImage(reference);
    const result = await runCli(this.binary, ["image", "pull", reference]);
    if (result.exitCode !== 0) {
      const detail = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-1)[0] ?? "";
      throw new ImagePullError(reference, registry, classifyPullFailure(detail), detail);
    }
    const after = await this.inspectImage(reference);
    return { reference, digest: after ? repoDigestFor(after, reference) : null, bytes: 0, fetched: before?.id !== after?.id };
  }

  /** What `container image inspect` reports; the CLI's JSON has no stable digest field across versions, so digests stay empty. */
  async inspectImage(reference: string): Promise<ImageDetails | null> {
    const result = await runCli(this.binary, ["image", "inspect", reference]);
    if (result.exitCode !== 0) return null;
    return { id: reference, tags: [reference], digests: [], sizeBytes: 0, createdAt: null };
  }

  async listImages(): Promise<ImageDetails[]> {
    const result = await runCli(this.binary, ["image", "list", "-q"]);
    if (result.exitCode !== 0) return [];
    return result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((name) => ({ id: name, tags: [name], digests: [], sizeBytes: 0, createdAt: null }));
  }

  networkManager(): null {
    return null;
  }

  sidecarManager(): null {
    return null;
  }

  buildManager(): null {
    return null;
  }

  /** The CLI's `exec --interactive --tty` wants a terminal of its own on this side, which the agent does not have. */
  interactiveManager(): null {
    return null;
  }

  async close(): Promise<void> {}

  private async checked(id: string, args: string[]): Promise<string> {
    const result = await runCli(this.binary, args);
    if (result.exitCode !== 0) {
      if (/not found/i.test(result.stderr)) throw new ContainerNotFoundError(id);
      throw new Error(`container ${args[0]} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    }
    return result.stdout;
  }
}

function toInfo(raw: AppleContainerJson, fallbackId: string): ContainerInfo {
  const status = raw.status === "running" ? "running" : raw.status === "stopped" ? "exited" : raw.status === "created" ? "created" : "unknown";
  const id = raw.configuration?.id ?? fallbackId;
  return {
    id,
    name: id,
    image: raw.configuration?.image?.reference ?? "",
    status,
    running: status === "running",
    exitCode: status === "exited" ? (raw.exitCode ?? null) : null,
    labels: raw.configuration?.labels ?? {},
    ociRuntime: "apple-vm",
    startedAt: null,
    finishedAt: null,
    networks: [],
  };
}
