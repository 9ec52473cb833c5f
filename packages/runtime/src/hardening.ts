import type { ContainerSpec, LogLimits } from "./types";

/**
 * The capabilities a coding agent's container keeps; everything else is dropped.
 * Enough to install packages and manage files as root inside the container (chown,
 * setuid for package scripts, binding low ports for dev servers), nothing that reaches
 * the host (no SYS_ADMIN, NET_ADMIN, MKNOD, SYS_PTRACE, NET_RAW).
 */
export const capabilityAllowlist = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE"] as const;

export const defaultLimits = {
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  pids: 1024,
} as const;

/** Bounded unless a host says otherwise (BAILEY_LOG_MAX_SIZE, BAILEY_LOG_MAX_FILES): 30 MiB per container at most. */
export const defaultLogLimits: LogLimits = { maxSize: "10m", maxFiles: 3 };

/** Where a docker:host container finds the engine's socket, whichever engine and path it is on the host. */
export const engineSocketInContainer = "/var/run/docker.sock";

export interface HardeningOptions {
  /** The OCI runtime for sandboxed containers (`runsc`); unset where the engine's default is used. */
  sandboxRuntime: string | undefined;
  /** The one for sandboxed containers that mount the engine's socket (`runsc-host-uds`, which may open host Unix sockets). */
  hostUdsRuntime?: string | undefined;
  /** The host path of the engine's socket, for a spec with mountEngineSocket. */
  engineSocket?: string;
  /** Podman here refuses to start containers without explicit nofile/nproc limits. */
  explicitUlimits?: boolean;
  /** The engine's name for its rotating file log: `json-file` (Docker), `k8s-file` (Podman). */
  logDriver?: "json-file" | "k8s-file";
  logLimits?: LogLimits;
}

/** The engine's HostConfig for a spec: every container gets the same locked-down base. */
export function hardenedHostConfig(spec: ContainerSpec, options: HardeningOptions) {
  const limits = { ...defaultLimits, ...definedOnly(spec.resources ?? {}) };
  const privileged = spec.privileged === true;
  if (spec.mountEngineSocket && !options.engineSocket) throw new Error(`Container ${spec.name} mounts the engine's socket, and no host path was given for it.`);
  const sandboxRuntime = spec.mountEngineSocket ? options.hostUdsRuntime : options.sandboxRuntime;
  return {
    // A privileged container (docker:dind only) has every capability by definition; dropping
    // them as well makes runc refuse to start it.
    ...(privileged ? {} : { CapDrop: ["ALL"], CapAdd: [...capabilityAllowlist] }),
    SecurityOpt: ["no-new-privileges:true"],
    Privileged: privileged,
    PidsLimit: limits.pids,
    Memory: limits.memoryBytes,
    NanoCpus: Math.round(limits.cpus * 1e9),
    ...(spec.sandbox === "gvisor" && sandboxRuntime ? { Runtime: sandboxRuntime } : {}),
    ...(spec.network ? { NetworkMode: spec.network } : {}),
    ...(spec.dns?.length ? { Dns: [...spec.dns] } : {}),
    ...(spec.extraHosts?.length ? { ExtraHosts: [...spec.extraHosts] } : {}),
    ...(spec.sysctls && Object.keys(spec.sysctls).length ? { Sysctls: { ...spec.sysctls } } : {}),
    LogConfig: logConfig(options.logDriver ?? "json-file", options.logLimits ?? defaultLogLimits),
    Binds: [
      ...(spec.mountEngineSocket ? [`${options.engineSocket}:${engineSocketInContainer}`] : []),
      ...(spec.readOnlyBinds ?? []).map(({ source, target }) => `${source}:${target}:ro`),
      ...(spec.readWriteBinds ?? []).map(({ source, target }) => `${source}:${target}:rw`),
    ],
    ...(options.explicitUlimits
      ? {
          Ulimits: [
            { Name: "nofile", Soft: 4096, Hard: 4096 },
            { Name: "nproc", Soft: limits.pids, Hard: limits.pids },
          ],
        }
      : {}),
  };
}

function logConfig(driver: "json-file" | "k8s-file", limits: LogLimits) {
  return { Type: driver, Config: { "max-size": limits.maxSize, "max-file": String(limits.maxFiles) } };
}

/** Bytes in a size of Docker's notation (`10m`, `512k`, `1g`, bare bytes); null when it is not one. */
export function logSizeBytes(size: string): number | null {
  const match = /^([1-9][0-9]*)([kmg]?)$/i.exec(size.trim());
  if (!match) return null;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? "").toLowerCase() as "" | "k" | "m" | "g"];
  return Number(match[1]) * unit;
}

export function toEnvList(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([key, value]) => `${key}=${value}`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}
