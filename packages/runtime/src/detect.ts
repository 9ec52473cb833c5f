import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { AppleRuntime } from "./drivers/apple/runtime";
import { DockerRuntime } from "./drivers/docker/runtime";
import { createPodmanRuntime } from "./drivers/podman";
import { NoRuntimeError, type ProbeAttempt } from "./errors";
import { MockRuntime } from "./testing/mock-runtime";
import type { LogLimits, Runtime, RuntimeType } from "./types";
import type { RunSubnetPool } from "./drivers/docker/run-subnets";
import { processEnvironment } from "./env";

export interface RuntimeProbe {
  name: Exclude<RuntimeType, "mock">;
  target: string;
  fix: string;
  /** Resolves with a runtime that answered, or rejects with why not. */
  open(): Promise<Runtime>;
}

export interface DetectOptions {
  /** BAILEY_RUNTIME: an explicit choice wins over probing. */
  override?: string;
  probes?: RuntimeProbe[];
  /** Caps on every container's log on disk (the agent's BAILEY_LOG_MAX_SIZE, BAILEY_LOG_MAX_FILES). */
  logLimits?: LogLimits;
  /** Where run networks go once the engine's address pools are used up (the agent's BAILEY_RUN_SUBNETS; null: off). */
  runSubnets?: RunSubnetPool | null;
  log?: (line: string) => void;
}

function socketFromDockerHost(dockerHost: string | undefined): string {
  if (dockerHost?.startsWith("unix://")) return dockerHost.slice("unix://".length);
  return "/var/run/docker.sock";
}

async function answering(runtime: Runtime): Promise<Runtime> {
  try {
    await runtime.ping();
    return runtime;
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** The probes in the order they are tried: Docker, Podman (rootful, then rootless), Apple on macOS. */
export function defaultProbes(env: NodeJS.ProcessEnv = processEnvironment(), platform = process.platform, logLimits?: LogLimits, runSubnets?: RunSubnetPool | null): RuntimeProbe[] {
  const dockerSocket = socketFromDockerHost(env.DOCKER_HOST);
  const rootlessPodman = env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/podman/podman.sock` : `/run/user/${process.getuid?.() ?? 1000}/podman/podman.sock`;
  const probes: RuntimeProbe[] = [
    {
      name: "docker",
      target: dockerSocket,
      fix: "install Docker (sudo apt-get install -y docker.io) and start it (sudo systemctl start docker), or set DOCKER_HOST=unix:///path/to/docker.sock",
      open: () => answering(new DockerRuntime({ socketPath: dockerSocket, ...(logLimits ? { logLimits } : {}), ...(runSubnets !== undefined ? { runSubnets } : {}) })),
    },
    {
      name: "podman",
      target: "/run/podman/podman.sock",
      fix: "install Podman (sudo apt-get install -y podman) and start its API (sudo systemctl start podman.socket)",
      open: () => answering(createPodmanRuntime("/run/podman/podman.sock", undefined, logLimits, runSubnets)),
    },
    {
      name: "podman",
      target: rootlessPodman,
      fix: "start Podman's user API: systemctl --user start podman.socket",
      open: () => answering(createPodmanRuntime(rootlessPodman, undefined, logLimits, runSubnets)),
    },
  ];
  if (platform === "darwin") {
    probes.push({
      name: "apple",
      target: "container CLI",
      fix: "install Apple's container tool (https://github.com/apple/container) and run: container system start",
      open: async () => {
        if (spawnSync("container", ["--version"]).error) throw new Error("the `container` command is not installed");
        return answering(new AppleRuntime());
      },
    });
  }
  return probes;
}

/** Finds the runtime to use: the explicit override, else the first probe that answers. */
export async function detectRuntime(options: DetectOptions = {}): Promise<Runtime> {
  const probes = options.probes ?? defaultProbes(processEnvironment(), process.platform, options.logLimits, options.runSubnets);
  const override = options.override?.trim();
  if (override) {
    if (override === "mock") return new MockRuntime();
    const chosen = probes.filter((probe) => probe.name === override);
    if (!chosen.length) throw new Error(`BAILEY_RUNTIME=${override} is not one of: docker, podman, apple, mock.`);
    return firstAnswering(chosen, options.log);
  }
  return firstAnswering(probes, options.log);
}

async function firstAnswering(probes: RuntimeProbe[], log?: (line: string) => void): Promise<Runtime> {
  const attempts: ProbeAttempt[] = [];
  for (const probe of probes) {
    if (probe.target.startsWith("/") && !existsSync(probe.target)) {
      attempts.push({ name: probe.name, target: probe.target, error: "no such socket", fix: probe.fix });
      continue;
    }
    try {
      const runtime = await probe.open();
      log?.(`using ${probe.name} at ${probe.target}`);
      return runtime;
    } catch (error) {
      attempts.push({ name: probe.name, target: probe.target, error: (error as Error).message, fix: probe.fix });
    }
  }
  throw new NoRuntimeError(attempts);
}
