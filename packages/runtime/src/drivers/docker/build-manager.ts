import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import type Docker from "dockerode";
import type { BuildManager, BuildOptions, BuildResult } from "../../types";
import { planBuild, type BuildStep } from "./build-plan";
import { imageExists } from "./images";
import { buildEnvironmentFromProcess } from "../../env";
import { newTraceState, traceLines } from "./build-trace";

export interface BuildEnvironment {
  buildkitHost?: string;
  buildkitDisabled: boolean;
}

export class DockerBuildManager implements BuildManager {
  constructor(
    private readonly engine: Docker,
    private readonly log: (line: string) => void = () => undefined,
    private readonly environment: BuildEnvironment = buildEnvironmentFromProcess(),
  ) {}

  private engineKind?: Promise<"docker" | "podman">;

  async buildImage(options: BuildOptions): Promise<BuildResult> {
    const log = options.log ?? this.log;
    const plan = planBuild({
      engine: await this.kindOfEngine(),
      ...(options.buildkitHost ? { buildkitHost: options.buildkitHost } : {}),
      ...(this.environment.buildkitHost ? { environmentBuildkitHost: this.environment.buildkitHost } : {}),
      buildkitDisabled: this.environment.buildkitDisabled,
      buildctlAvailable: !spawnSync("buildctl", ["--version"]).error,
    });
    for (const reason of plan.reasons) log(`build ${options.tag}: ${reason}`);
    let lastError: unknown;
    for (const step of plan.steps) {
      options.onBuilder?.(step.builder, lastError ? `${step.reason} (${firstLine((lastError as Error).message)})` : step.reason);
      try {
        await this.runStep(step, options, log);
        return { tag: options.tag, builder: step.builder };
      } catch (error) {
        lastError = error;
        if (step !== plan.steps.at(-1)) log(`build ${options.tag}: ${step.builder} failed (${(error as Error).message}); trying the next builder`);
      }
    }
    throw lastError;
  }

  imageExists(tag: string): Promise<boolean> {
    return imageExists(this.engine, tag);
  }

  /** Asked once: Podman names itself among the version's components. */
  private kindOfEngine(): Promise<"docker" | "podman"> {
    this.engineKind ??= this.engine.version().then(
      (version) => ((version.Components ?? []).some((component) => /podman/i.test(component.Name)) ? "podman" : "docker"),
      () => "docker" as const,
    );
    return this.engineKind;
  }

  async builtImages(labels: Record<string, string>): Promise<{ id: string; tags: string[]; labels: Record<string, string> }[]> {
    const rows = await this.engine.listImages({ filters: JSON.stringify({ label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) }) } as Docker.ListImagesOptions);
    return rows.map((row) => ({ id: row.Id, tags: (row.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>"), labels: row.Labels ?? {} }));
  }

  async removeImage(tag: string): Promise<boolean> {
    try {
      await this.engine.getImage(tag).remove();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  private runStep(step: BuildStep, options: BuildOptions, log: (line: string) => void): Promise<void> {
    if (step.builder === "buildkit-endpoint") return buildWithBuildctl(step.endpoint ?? "", options, log);
    // Podman's buildah takes version 1 (dockerode's version 2 opens a BuildKit session Podman does not serve).
    return this.buildThroughEngine(options, step.builder === "engine-buildkit" ? "2" : "1", log);
  }

  private async buildThroughEngine(options: BuildOptions, version: "1" | "2", log: (line: string) => void): Promise<void> {
    const stream = await this.engine.buildImage({ context: options.contextDir, src: ["."] }, {
      t: options.tag,
      dockerfile: options.dockerfile ?? "Dockerfile",
      buildargs: options.buildArgs ?? {},
      ...(options.target ? { target: options.target } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      version,
      rm: true,
      forcerm: true,
    } as Docker.ImageBuildOptions);
    const trace = newTraceState();
    const output: string[] = [];
    // The legacy builder and buildah keep each step's image (a multi-stage build's earlier stages
    // too, untagged): those go once the build is done, except the result and its parents.
    const stepImages: string[] = [];
    const emit = (line: string) => {
      output.push(line);
      if (output.length > 200) output.shift();
      log(line);
    };
    try {
      await new Promise<void>((resolve, reject) => {
        this.engine.modem.followProgress(
          stream,
          (error: Error | null, events: BuildEvent[]) => {
            const failed = error ?? events.find((event) => event.error || event.errorDetail);
            if (failed) reject(failed instanceof Error ? failed : new Error(failed.errorDetail?.message ?? failed.error));
            else resolve();
          },
          (event: BuildEvent) => {
            if (event.id === "moby.buildkit.trace" && typeof event.aux === "string") for (const line of traceLines(event.aux, trace)) emit(line);
            for (const line of event.stream?.split("\n") ?? []) {
              if (!line.trim()) continue;
              const step = /^\s*-{2,3}> ([0-9a-f]{11,64})$/.exec(line.trimEnd());
              if (step?.[1]) stepImages.push(step[1]);
              emit(line.trimEnd());
            }
          },
        );
      });
    } catch (error) {
      await this.removeStepImages(stepImages, null);
      throw new Error(withOutputTail((error as Error).message, output));
    }
    await this.removeStepImages(stepImages, options.tag);
  }

  /** Untagged step images of a build; the result's parents refuse removal (they have a child) and stay. */
  private async removeStepImages(ids: string[], result: string | null): Promise<void> {
    const resultId = result
      ? await this.engine
          .getImage(result)
          .inspect()
          .then((info) => info.Id.replace(/^sha256:/, ""))
          .catch(() => null)
      : null;
    for (const id of [...ids].reverse()) {
      if (resultId?.startsWith(id)) continue;
      const info = await this.engine
        .getImage(id)
        .inspect()
        .catch(() => null);
      if (!info || (info.RepoTags ?? []).some((tag) => tag !== "<none>:<none>")) continue;
      await this.engine
        .getImage(id)
        .remove()
        .catch(() => undefined);
    }
  }
}

interface BuildEvent {
  id?: string;
  aux?: unknown;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/** The engine's error and the last lines the build printed before it (the command's own complaint is usually there). */
function withOutputTail(message: string, output: string[]): string {
  const tail = output.filter((line) => !line.startsWith("ERROR ") && !line.includes(message)).slice(-10);
  return tail.length ? `${message}\nlast build output:\n${tail.join("\n")}` : message;
}

/** Builds on a remote BuildKit (a run's sidecar) and loads the result into the engine. */
function buildWithBuildctl(endpoint: string, options: BuildOptions, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const dockerfile = options.dockerfile ?? "Dockerfile";
    const buildctl = spawn("buildctl", [
      "--addr",
      endpoint,
      "build",
      "--frontend",
      "dockerfile.v0",
      "--local",
      `context=${options.contextDir}`,
      "--local",
      `dockerfile=${path.dirname(path.join(options.contextDir, dockerfile))}`,
      "--opt",
      `filename=${path.basename(dockerfile)}`,
      ...(options.target ? ["--opt", `target=${options.target}`] : []),
      ...Object.entries(options.buildArgs ?? {}).flatMap(([name, value]) => ["--opt", `build-arg:${name}=${value}`]),
      ...Object.entries(options.labels ?? {}).flatMap(([name, value]) => ["--opt", `label:${name}=${value}`]),
      "--output",
      `type=docker,name=${options.tag}`,
    ]);
    const load = spawn("docker", ["load"]);
    buildctl.stdout.pipe(load.stdin);
    const output: string[] = [];
    buildctl.stderr.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        output.push(line);
        if (output.length > 200) output.shift();
        log(line);
      }
    });
    let failed = false;
    buildctl.once("error", (error) => ((failed = true), reject(error)));
    load.once("error", (error) => ((failed = true), reject(error)));
    load.once("exit", (code) => {
      if (failed) return;
      if (code === 0 && buildctl.exitCode === 0) resolve();
      else reject(new Error(withOutputTail(`buildctl at ${endpoint} failed (exit ${buildctl.exitCode}), docker load exit ${code}`, output)));
    });
  });
}
