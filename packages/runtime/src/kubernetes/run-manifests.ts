import type { ContainerSpec, SidecarConfig } from "../types";
import { egressProxyPolicy, openRunPolicy, strictRunPolicy } from "./egress-policy";
import { KubernetesManifestError } from "./errors";
import { assertDnsLabel, objectName, secretKey, validLabels } from "./names";
import type { Container, EnvVar, NetworkPolicy, ObjectMeta, Pod, Secret } from "./objects";
import { resourceRequirements } from "./resources";
import { rootlessBuildkitSecurity, runContainerSecurity } from "./security";

/** Where a run's secret files appear, as on Docker hosts. */
export const secretFilesDir = "/run/secrets";
/** BuildKit shares the Pod's network namespace, so the run reaches it on loopback. */
export const buildkitAddress = "tcp://127.0.0.1:1234";

/**
 * How a run reaches the internet. `proxied` (an open run with grants): the proxy injects
 * credentials and need not be a wall, so it is a native sidecar on the Pod's loopback. `strict`:
 * the proxy must be the only way out, and containers of one Pod share one network namespace
 * that no NetworkPolicy can split, so it is a Pod of its own (see egressProxyManifests) and the
 * run's policy allows that Pod alone.
 */
export type RunEgress = { kind: "open" } | { kind: "proxied"; proxy: SidecarConfig; port: number } | { kind: "strict"; proxyRunLabel: string; port: number };

export interface KubernetesRunPlan {
  runId: string;
  namespace: string;
  /** The main container as the Docker driver gets it; `network` is Docker's and is replaced by the NetworkPolicy. */
  main: ContainerSpec;
  /** Environment variables whose values are secrets: kept in the run's Secret and referenced, never written into the Pod. */
  secretEnv?: Record<string, string>;
  /** Files under /run/secrets, from the same Secret. */
  secretFiles?: Record<string, string>;
  /** docker:dind: a rootless BuildKit sidecar. */
  buildkit?: { image: string };
  egress: RunEgress;
  /** The cluster's Pod and Service ranges, which a run must not reach. */
  clusterCidrs: string[];
  /** The RuntimeClass of gVisor on this cluster (`gvisor` by default); a `none` sandbox uses the cluster's default runtime. */
  gvisorRuntimeClass?: string;
  timeoutSeconds?: number;
}

export interface KubernetesRunManifests {
  /** Created first: the Pod refers to it. */
  secret: Secret | null;
  networkPolicy: NetworkPolicy;
  pod: Pod;
}

const runLabel = "bailey.run";
const roleLabel = "bailey.role";

/** The Secret, NetworkPolicy and Pod of one run; throws KubernetesManifestError saying what cannot be expressed. */
export function runManifests(plan: KubernetesRunPlan): KubernetesRunManifests {
  refuseUnmappable(plan.main);
  const name = objectName("bailey-run", plan.runId);
  const labels = validLabels({ ...plan.main.labels, [runLabel]: plan.runId, [roleLabel]: "main" });
  const meta = (objectNameFor: string): ObjectMeta => ({ name: objectNameFor, namespace: plan.namespace, labels });
  const secretEnv = plan.secretEnv ?? {};
  const secretFiles = plan.secretFiles ?? {};
  const secretValues = { ...prefixed("env.", secretEnv), ...prefixed("file.", secretFiles) };
  const secret: Secret | null = Object.keys(secretValues).length ? { apiVersion: "v1", kind: "Secret", metadata: meta(name), type: "Opaque", stringData: secretValues } : null;

  const env: EnvVar[] = [
    ...Object.entries(plan.main.env ?? {})
      .filter(([envName]) => !(envName in secretEnv))
      .map(([envName, value]) => ({ name: envName, value })),
    ...Object.keys(secretEnv).map((envName) => ({ name: envName, valueFrom: { secretKeyRef: { name, key: secretKey(`env.${envName}`) } } })),
    ...(plan.buildkit ? [{ name: "BUILDKIT_HOST", value: buildkitAddress }] : []),
  ];
  const mainContainer: Container = {
    name: "main",
    image: plan.main.image,
    ...(plan.main.entrypoint ? { command: [...plan.main.entrypoint] } : {}),
    // Docker's CMD is Kubernetes' args; its ENTRYPOINT is command.
    ...(plan.main.command ? { args: [...plan.main.command] } : {}),
    env,
    ...(plan.main.workdir ? { workingDir: plan.main.workdir } : {}),
    resources: resourceRequirements(plan.main.resources),
    securityContext: runContainerSecurity("main", plan.main.user),
    ...(Object.keys(secretFiles).length ? { volumeMounts: [{ name: "secrets", mountPath: secretFilesDir, readOnly: true }] } : {}),
    ...(plan.main.tty ? { tty: true } : {}),
    ...(plan.main.openStdin ? { stdin: true } : {}),
  };

  const sidecars: Container[] = [];
  if (plan.buildkit) sidecars.push(buildkitSidecar(plan.buildkit.image));
  if (plan.egress.kind === "proxied") sidecars.push(proxySidecar(plan.egress.proxy, plan.egress.port));

  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(name),
    spec: {
      restartPolicy: "Never",
      ...(plan.main.sandbox === "gvisor" ? { runtimeClassName: plan.gvisorRuntimeClass ?? "gvisor" } : {}),
      ...(plan.main.hostname ? { hostname: assertDnsLabel("Hostname", plan.main.hostname) } : {}),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(sidecars.length ? { initContainers: sidecars } : {}),
      containers: [mainContainer],
      // Each file at its own name, not at its Secret key.
      ...(Object.keys(secretFiles).length
        ? { volumes: [{ name: "secrets", secret: { secretName: name, defaultMode: 0o400, items: Object.keys(secretFiles).map((file) => ({ key: secretKey(`file.${file}`), path: file })) } }] }
        : {}),
      ...podNetworkSettings(plan.main),
      ...(plan.timeoutSeconds ? { activeDeadlineSeconds: plan.timeoutSeconds } : {}),
    },
  };
  const selector = { [runLabel]: plan.runId, [roleLabel]: "main" };
  const networkPolicy =
    plan.egress.kind === "strict"
      ? strictRunPolicy(meta(name), selector, { [runLabel]: plan.egress.proxyRunLabel, [roleLabel]: "egress-proxy" }, plan.egress.port)
      : openRunPolicy(meta(name), selector, plan.clusterCidrs);
  return { secret, networkPolicy, pod };
}

/** A strict run's egress proxy: its own Pod and policy, created (and Ready) before the run's Pod. */
export function egressProxyManifests(input: { runId: string; namespace: string; proxy: SidecarConfig; port: number; clusterCidrs: string[]; gvisorRuntimeClass?: string }): {
  pod: Pod;
  networkPolicy: NetworkPolicy;
} {
  const name = objectName("bailey-egress", input.runId);
  const labels = validLabels({ ...input.proxy.labels, [runLabel]: input.runId, [roleLabel]: "egress-proxy" });
  const meta: ObjectMeta = { name, namespace: input.namespace, labels };
  const container = proxySidecar(input.proxy, input.port);
  delete container.restartPolicy;
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta,
    spec: {
      restartPolicy: "Never",
      ...(input.proxy.sandbox === "gvisor" ? { runtimeClassName: input.gvisorRuntimeClass ?? "gvisor" } : {}),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      containers: [container],
    },
  };
  const networkPolicy = egressProxyPolicy(meta, { [runLabel]: input.runId, [roleLabel]: "egress-proxy" }, { [runLabel]: input.runId, [roleLabel]: "main" }, input.port, input.clusterCidrs);
  return { pod, networkPolicy };
}

function buildkitSidecar(image: string): Container {
  return {
    name: "buildkit",
    image,
    args: ["--addr", buildkitAddress, "--oci-worker-no-process-sandbox"],
    restartPolicy: "Always",
    securityContext: rootlessBuildkitSecurity(),
  };
}

function proxySidecar(proxy: SidecarConfig, port: number): Container {
  if (proxy.privileged) throw new KubernetesManifestError(`The egress proxy "${proxy.name}" asks for privilege; on Kubernetes it runs unprivileged.`);
  return {
    name: "egress-proxy",
    image: proxy.image,
    ...(proxy.command ? { args: [...proxy.command] } : {}),
    env: Object.entries(proxy.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
    ports: [{ name: "proxy", containerPort: port, protocol: "TCP" }],
    resources: resourceRequirements(proxy.resources ?? { cpus: 0.25, memoryBytes: 128 * 1024 ** 2 }),
    securityContext: runContainerSecurity("egress-proxy", undefined),
    restartPolicy: "Always",
  };
}

function podNetworkSettings(main: ContainerSpec): Partial<Pod["spec"]> {
  const hostAliases = (main.extraHosts ?? []).map((line) => {
    const colon = line.lastIndexOf(":");
    if (colon <= 0) throw new KubernetesManifestError(`Extra host "${line}" is not name:ip.`);
    return { ip: line.slice(colon + 1), hostnames: [line.slice(0, colon)] };
  });
  return {
    ...(main.dns?.length ? { dnsPolicy: "None" as const, dnsConfig: { nameservers: [...main.dns] } } : {}),
    ...(hostAliases.length ? { hostAliases } : {}),
    ...(main.sysctls && Object.keys(main.sysctls).length ? { securityContext: { sysctls: Object.entries(main.sysctls).map(([sysctl, value]) => ({ name: sysctl, value })) } } : {}),
  };
}

/** What Docker gives a run and a Pod cannot, said instead of dropped. */
function refuseUnmappable(main: ContainerSpec): void {
  if (main.mountEngineSocket) {
    throw new KubernetesManifestError("docker:host has no Kubernetes equivalent (a node's engine socket would hand the run the node); use docker:dind, which runs BuildKit beside the run.");
  }
  if (main.privileged) throw new KubernetesManifestError("A privileged main container is not created on Kubernetes; docker:dind there is a rootless BuildKit sidecar.");
  if (main.readWriteBinds?.length || main.readOnlyBinds?.length) {
    throw new KubernetesManifestError("Host directories cannot be mounted into a Pod: pass secret files as secretFiles, and a workspace through the backend's workspace volume (see docs/scaling.md).");
  }
}

function prefixed(prefix: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [secretKey(`${prefix}${key}`), value]));
}
