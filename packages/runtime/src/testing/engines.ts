// Real engines for tests: Docker (with the local test image) and a private Podman service; each fails saying what to install.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DockerRuntime } from "../drivers/docker/runtime";

export const dockerSocket = "/var/run/docker.sock";
export const dockerTestImage = "bailey-test/busybox:latest";
export const podmanTestImage = "localhost/bailey-test/busybox:latest";
const setupHint = "Run infra/ci/setup-test-host.sh as root (npm test does) to install and start it.";

/** A Docker runtime that answers, with the local test image; otherwise a failure that says what to do. */
export async function requireDocker(): Promise<DockerRuntime> {
  const runtime = new DockerRuntime({ socketPath: dockerSocket });
  try {
    await runtime.ping();
  } catch (error) {
    throw new Error(`These tests need a running Docker engine at ${dockerSocket} (${(error as Error).message}). ${setupHint}`);
  }
  if (!(await runtime.imageExists(dockerTestImage))) throw new Error(`The local test image ${dockerTestImage} is missing. ${setupHint}`);
  return runtime;
}

export async function requireRunsc(runtime: DockerRuntime): Promise<void> {
  if (!(await runtime.sandboxAvailable())) throw new Error(`The Docker engine has no runsc runtime registered. ${setupHint}`);
}

export interface PodmanService {
  socketPath: string;
  stop(): Promise<void>;
}

/** Podman's Docker-compatible API on a private socket, with the test image loaded. */
export async function startPodmanService(): Promise<PodmanService> {
  if (!existsSync("/usr/bin/podman")) throw new Error(`Podman is not installed (apt-get install podman). ${setupHint}`);
  const hasImage = spawnSync("podman", ["image", "exists", podmanTestImage]).status === 0;
  if (!hasImage) {
    const load = spawnSync("sh", ["-c", `docker save ${dockerTestImage} | podman load`], { encoding: "utf8" });
    if (load.status !== 0) throw new Error(`Could not load ${dockerTestImage} into Podman: ${load.stderr}. ${setupHint}`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-podman-"));
  const socketPath = path.join(dir, "podman.sock");
  const service = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], { stdio: "ignore" });
  for (let i = 0; i < 100 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!existsSync(socketPath)) {
    service.kill();
    throw new Error("podman system service did not create its socket within 10s.");
  }
  return {
    socketPath,
    stop: async () => {
      const exited = new Promise((resolve) => service.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
