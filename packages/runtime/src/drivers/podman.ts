import type { LogLimits } from "../types";
import type { RunSubnetPool } from "./docker/run-subnets";
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
 * - networks and sidecars work through the compat API; its networks reach each other
 *   unless made with `isolate` (see network-manager.ts);
 * - its rotating file log is `k8s-file`: one file, truncated at max-size (max-file is
 *   not used, so a container keeps at most max-size);
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
  logDriver: "k8s-file",
};

export function createPodmanRuntime(socketPath: string, log?: (line: string) => void, logLimits?: LogLimits, runSubnets?: RunSubnetPool | null): DockerRuntime {
  return new DockerRuntime({ socketPath, profile: podmanProfile, ...(log ? { log } : {}), ...(logLimits ? { logLimits } : {}), ...(runSubnets !== undefined ? { runSubnets } : {}) });
}
