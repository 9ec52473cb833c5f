import type { RuntimeType } from "./types";

export type Feature = "networks" | "sidecars" | "builds" | "bind mounts" | "docker:host" | "interactive exec";

const alternatives: Record<Feature, string> = {
  networks: "use Docker or Podman on this host, or a run without `docker:dind`",
  sidecars: "use Docker or Podman on this host, or `docker:host` instead of `docker:dind`",
  builds: "build the image elsewhere and reference it by tag, or use Docker or Podman on this host",
  "bind mounts": "a run's secretFiles need them: use `secrets` (environment variables) instead, or Docker or Podman on this host",
  "interactive exec": "run.exec runs a command to its end without a terminal; for a terminal, place the run on a Docker or Podman host (placement labels)",
  "docker:host": "its containers are VMs with no engine socket on the host to share; run it on a Docker or Podman host (placement labels), or use `docker:dind` there",
};

/** A caller needed a feature manager this backend does not have. */
export class UnsupportedFeatureError extends Error {
  constructor(
    readonly feature: Feature,
    readonly runtime: RuntimeType,
    /** Why, when it is this host's setup rather than the runtime itself. */
    reason?: string,
  ) {
    super(reason ?? `The ${runtime} runtime does not support ${feature}: ${alternatives[feature]}.`);
    this.name = "UnsupportedFeatureError";
  }
}

export class ContainerNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No such container: ${id}`);
    this.name = "ContainerNotFoundError";
  }
}

/** A sandboxed container was asked for, and the engine has no runsc. Never downgraded to runc. */
export class SandboxUnavailableError extends Error {
  constructor(readonly runtime: RuntimeType) {
    super(runtime === "podman" ? podmanSandboxMessage : dockerSandboxMessage(runtime));
    this.name = "SandboxUnavailableError";
  }
}

const podmanSandboxMessage = [
  `Cannot create a sandboxed container: Podman's default OCI runtime on this host is not "runsc" (gVisor).`,
  `Podman's Docker-compatible API ignores a per-container runtime, so Bailey sandboxes on Podman only when runsc is Podman's default;`,
  `it never falls back to runc silently. To install and select gVisor on Debian/Ubuntu:`,
  `  sudo apt-get install -y runsc`,
  `  printf '[engine]\\nruntime = "runsc"\\n' | sudo tee -a /etc/containers/containers.conf`,
  `  then restart the podman service (systemctl restart podman.socket, or restart \`podman system service\`).`,
  `To run this one without a sandbox instead, set \`sandbox: none\` in the run's spec.`,
].join("\n");

function dockerSandboxMessage(runtime: RuntimeType): string {
  return [
    `Cannot create a sandboxed container: the ${runtime} engine on this host has no "runsc" (gVisor) runtime registered.`,
    `Bailey runs every container under gVisor unless the run opts out; it never falls back to runc silently.`,
    `To install gVisor on Debian/Ubuntu:`,
    `  sudo apt-get install -y runsc`,
    `  sudo runsc install        # adds "runsc" to /etc/docker/daemon.json`,
    `  sudo systemctl restart docker`,
    `(or add {"runtimes":{"runsc":{"path":"/usr/bin/runsc"}}} to /etc/docker/daemon.json by hand and restart dockerd).`,
    `To run this one without a sandbox instead, set \`sandbox: none\` in the run's spec.`,
  ].join("\n");
}

/** The name the runsc that may open host Unix sockets is registered under: docker:host runs under gVisor use it, and only they. */
export const hostUdsRuntime = "runsc-host-uds";

/**
 * A gVisor container was asked to have the engine's socket (docker:host), and this engine
 * cannot give it one: plain runsc refuses host Unix sockets, so it needs its own runtime.
 * Never downgraded to runc, never by opening host sockets to every sandboxed container.
 */
export class SandboxedEngineSocketError extends Error {
  constructor(
    readonly runtime: RuntimeType,
    /** The daemon.json entry that would register it (Docker), built from the engine's own runsc entry. */
    readonly registration?: string,
    /** The name it is looked for under. */
    readonly hostUdsName: string = hostUdsRuntime,
  ) {
    super(runtime === "podman" ? podmanEngineSocketMessage : dockerEngineSocketMessage(runtime, hostUdsName, registration));
    this.name = "SandboxedEngineSocketError";
  }
}

const podmanEngineSocketMessage = [
  "Cannot give a gVisor-sandboxed container Podman's socket (docker:host): runsc opens host Unix sockets only when started with --host-uds=open,",
  "and Podman's Docker-compatible API ignores a per-container runtime, so Bailey cannot start this one container under such a runsc while every other sandboxed container keeps host sockets closed.",
  "Set `sandbox: none` in the run's spec (the engine's socket is root on the host either way), or run it on a Docker host with the runsc-host-uds runtime registered.",
].join("\n");

function dockerEngineSocketMessage(runtime: RuntimeType, name: string, registration: string | undefined): string {
  return [
    `Cannot give a gVisor-sandboxed container the ${runtime} engine's socket (docker:host): the engine has no "${name}" runtime registered.`,
    `runsc refuses host Unix sockets unless started with --host-uds=open, and Bailey uses that runsc for docker:host runs only, under its own name. To register it, add this line to "runtimes" in /etc/docker/daemon.json:`,
    `  ${registration ?? `"${name}": {"path": "/usr/bin/runsc", "runtimeArgs": ["--host-uds=open"]}`}`,
    `then restart dockerd (sudo systemctl restart docker). infra/install.sh adds it where runsc is registered.`,
    "To run this one without a sandbox instead, set `sandbox: none` in the run's spec.",
  ].join("\n");
}

export interface ProbeAttempt {
  name: string;
  target: string;
  error: string;
  fix: string;
}

/** Detection found no usable container runtime. */
export class NoRuntimeError extends Error {
  constructor(readonly attempts: ProbeAttempt[]) {
    super(
      [
        "No container runtime is available on this host. Tried:",
        ...attempts.map((attempt) => `  - ${attempt.name} at ${attempt.target}: ${attempt.error}\n      fix: ${attempt.fix}`),
        "Or choose one explicitly with BAILEY_RUNTIME=docker|podman|apple.",
      ].join("\n"),
    );
    this.name = "NoRuntimeError";
  }
}

export type ImagePullFailureReason = "not_found" | "unauthorized" | "unreachable" | "never" | "other";

const pullAdvice: Record<ImagePullFailureReason, (registry: string) => string> = {
  not_found: () => "check the image name and tag (or digest), and that it was pushed to that registry",
  unauthorized: (registry) => `add registry credentials for ${registry} in Bailey's Team → Registries (or check the ones saved there)`,
  unreachable: (registry) => `check that ${registry} is up and reachable from this host (DNS, firewall, proxy, and http vs https for a private registry)`,
  never: () => "the run's pullPolicy is never: load the image onto the host first, or use pullPolicy if-not-present",
  other: () => "check the engine's log on the host",
};

/** An image could not be pulled (or, with pullPolicy never, was missing); `reason` says which way. */
export class ImagePullError extends Error {
  constructor(
    readonly image: string,
    readonly registry: string,
    readonly reason: ImagePullFailureReason,
    /** What the engine said, kept short; never contains credentials (the engine never echoes them). */
    readonly detail: string,
  ) {
    super(`Could not pull ${image} from ${registry} (${reason.replace("_", " ")}): ${detail}. To fix: ${pullAdvice[reason](registry)}.`);
    this.name = "ImagePullError";
  }
}
