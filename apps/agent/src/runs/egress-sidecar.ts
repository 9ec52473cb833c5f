import { stat } from "node:fs/promises";
import type { Runtime } from "@bailey/runtime";
import { type EgressEventFollower, followEgressEvents, type RunEgressEvent } from "../egress/event-follower";
import { egressProxyCommand } from "../egress/proxy-image";
import { proxyAlias, proxyConfigMount } from "../egress/run-files";

// The run's egress proxy: our own code, so it runs under the engine's default runtime (not the
// run's sandbox), from the image the agent imported, with the run's proxy/ directory as its
// read-only config. On the run network it answers as `egress-proxy`; a strict run's network is
// internal, so the proxy also joins the egress network, its (and the run's only) way out.

/** Where the proxy container sees BAILEY_EGRESS_EXTRA_CA_FILE. */
const extraCaMount = "/run/bailey-egress-extra-ca.crt";

/** Node and a few hundred connections; far below a run's own limits. */
const proxyResources = { cpus: 1, memoryBytes: 512 * 1024 ** 2, pids: 256 };

/** The engine's own network, which every host has: the strict proxy's way out unless BAILEY_EGRESS_NETWORK names another. */
export function defaultEgressNetwork(runtime: Pick<Runtime, "type">): string {
  return runtime.type === "podman" ? "podman" : "bridge";
}

export interface StartEgressSidecarOptions {
  runtime: Runtime;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** The run's network (internal when strict). */
  runNetwork: string;
  /** Joined as well when strict. */
  egressNetwork: string | null;
  proxyDir: string;
  extraCaFile?: string;
  readyTimeoutMs: number;
  onEvent: (event: RunEgressEvent) => Promise<void>;
  log?: (line: string) => void;
}

export interface EgressSidecar {
  containerId: string;
  follower: EgressEventFollower;
}

/** Creates and starts the proxy, follows its log, and resolves once it is listening; on failure the caller's teardown finds it by its labels. */
export async function startEgressSidecar(options: StartEgressSidecarOptions): Promise<EgressSidecar> {
  const { runtime } = options;
  // Docker makes an empty directory where a bind source is missing: the proxy would start trusting nothing extra, silently.
  if (
    options.extraCaFile &&
    !(await stat(options.extraCaFile).then(
      (found) => found.isFile(),
      () => false,
    ))
  ) {
    throw new Error(`BAILEY_EGRESS_EXTRA_CA_FILE is ${options.extraCaFile}, which is not a file on this host: point it at a PEM file in /etc/bailey/agent.env (or unset it) and restart the agent.`);
  }
  const containerId = await runtime.createContainer({
    name: options.name,
    image: options.image,
    command: egressProxyCommand(proxyConfigMount),
    env: options.extraCaFile ? { BAILEY_EGRESS_EXTRA_CA_FILE: extraCaMount } : {},
    labels: options.labels,
    sandbox: "none",
    resources: proxyResources,
    network: options.runNetwork,
    networkAliases: [proxyAlias],
    ...(options.egressNetwork ? { extraNetworks: [options.egressNetwork] } : {}),
    readOnlyBinds: [{ source: options.proxyDir, target: proxyConfigMount }, ...(options.extraCaFile ? [{ source: options.extraCaFile, target: extraCaMount }] : [])],
  });
  await runtime.startContainer(containerId);
  const follower = await followEgressEvents({ runtime, containerId, onEvent: options.onEvent, ...(options.log ? { log: options.log } : {}) });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `The egress proxy was not listening after ${options.readyTimeoutMs} ms (BAILEY_SIDECAR_READY_TIMEOUT_MS); check that its image (${options.image}) starts on this host: docker logs ${options.name}.`,
          ),
        ),
      options.readyTimeoutMs,
    );
  });
  try {
    await Promise.race([follower.listening, timedOut]);
  } catch (error) {
    follower.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { containerId, follower };
}
