import { DockerRuntime, type EngineProfile } from "./docker/runtime";

/**
 * Podman speaks the Docker API on its own socket, so the Docker driver serves it with
 * the differences measured on Podman 4.3 (test/conformance-podman.test.ts runs the shared
 * runtime suite against a real Podman service; test/sandbox-errors.test.ts shows the runsc one):
 * - it starts containers only when nofile/nproc ulimits are explicit (its defaults
 *   exceed the hard limits of hosts like ours);
 * - it ignores HostConfig.Runtime: asked for runsc, it runs the container on the host
 *   kernel. So a sandbox is only real when runsc is Podman's default runtime, and
 *   sandboxed creates are refused otherwise;
 * - networks and sidecars work through the compat API;
 * - image builds through the compat API work (buildah underneath; not in the conformance
 *   run, which has builds: false).
 */
export const podmanProfile: EngineProfile = {
  type: "podman",
  explicitUlimits: true,
  networks: true,
  sidecars: true,
  builds: true,
  sandboxSelection: "engine-default",
};

export function createPodmanRuntime(socketPath: string, log?: (line: string) => void): DockerRuntime {
  return new DockerRuntime({ socketPath, profile: podmanProfile, ...(log ? { log } : {}) });
}
