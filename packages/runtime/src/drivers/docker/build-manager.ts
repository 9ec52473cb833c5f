import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import type Docker from "dockerode";
import type { BuildManager, BuildOptions, BuildResult } from "../../types";
import { planBuild, type BuildStep } from "./build-plan";
import { imageExists } from "./images";
import { buildEnvironmentFromProcess } from "../../env";

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

  async buildImage(options: BuildOptions): Promise<BuildResult> {
    const log = options.log ?? this.log;
    const plan = planBuild({
      ...(options.buildkitHost ? { buildkitHost: options.buildkitHost } : {}),
      ...(this.environment.buildkitHost ? { environmentBuildkitHost: this.environment.buildkitHost } : {}),
      buildkitDisabled: this.environment.buildkitDisabled,
      buildctlAvailable: !spawnSync("buildctl", ["--version"]).error,
    });
    for (const reason of plan.reasons) log(`build ${options.tag}: ${reason}`);
    let lastError: unknown;
    for (const step of plan.steps) {
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

  private runStep(step: BuildStep, options: BuildOptions, log: (line: string) => void): Promise<void> {
    if (step.builder === "buildkit-endpoint") return buildWithBuildctl(step.endpoint ?? "", options, log);
    return this.buildThroughEngine(options, step.builder === "engine-buildkit" ? "2" : "1", log);
  }

  private async buildThroughEngine(options: BuildOptions, version: "1" | "2", log: (line: string) => void): Promise<void> {
    const stream = await this.engine.buildImage({ context: options.contextDir, src: ["."] }, {
      t: options.tag,
      dockerfile: options.dockerfile ?? "Dockerfile",
      buildargs: options.buildArgs ?? {},
      version,
      rm: true,
      forcerm: true,
    } as Docker.ImageBuildOptions);
    await new Promise<void>((resolve, reject) => {
      this.engine.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = error ?? output.find((line) => line.error || line.errorDetail);
          if (failed) reject(failed instanceof Error ? failed : new Error(failed.errorDetail?.message ?? failed.error));
          else resolve();
        },
        (event: { stream?: string }) => {
          if (event.stream?.trim()) log(event.stream.trim());
        },
      );
    });
  }
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
      "--output",
      `type=docker,name=${options.tag}`,
    ]);
    const load = spawn("docker", ["load"]);
    buildctl.stdout.pipe(load.stdin);
    buildctl.stderr.on("data", (chunk: Buffer) => log(chunk.toString().trim()));
    let failed = false;
    buildctl.once("error", (error) => ((failed = true), reject(error)));
    load.once("error", (error) => ((failed = true), reject(error)));
    load.once("exit", (code) => {
      if (failed) return;
      if (code === 0 && buildctl.exitCode === 0) resolve();
      else reject(new Error(`buildctl at ${endpoint} failed (exit ${buildctl.exitCode}), docker load exit ${code}`));
    });
  });
}
