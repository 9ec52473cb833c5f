import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capabilityAllowlist } from "../src/hardening";
import { egressProxyManifests, KubernetesManifestError, type KubernetesRunPlan, runManifests } from "../src/kubernetes";
import type { ContainerSpec, SidecarConfig } from "../src/types";

const clusterCidrs = ["10.244.0.0/16", "10.96.0.0/12"];
const main = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: "bailey-run-abc",
  image: "ghcr.io/acme/agent:1",
  command: ["claude", "-p", "fix the tests"],
  env: { MODE: "ci", API_KEY: "placeholder" },
  labels: { "bailey.team": "team1" },
  sandbox: "gvisor",
  resources: { cpus: 1.5, memoryBytes: 2 * 1024 ** 3, pids: 512 },
  ...overrides,
});
const plan = (overrides: Partial<KubernetesRunPlan> = {}): KubernetesRunPlan => ({
  runId: "cm1abc2def",
  namespace: "bailey-runs",
  main: main(),
  egress: { kind: "open" },
  clusterCidrs,
  ...overrides,
});
const proxy: SidecarConfig = { name: "egress", image: "bailey/egress:1", network: "unused", hostname: "egress-proxy", labels: {}, sandbox: "gvisor", command: ["proxy"], env: { PORT: "3128" } };

describe("a run as Kubernetes objects", () => {
  it("is one Pod under gVisor's RuntimeClass, hardened as a Docker run is, with Guaranteed resources", () => {
    const { pod } = runManifests(plan());
    assert.equal(pod.metadata.name, "bailey-run-cm1abc2def");
    assert.equal(pod.spec.runtimeClassName, "gvisor");
    assert.equal(pod.spec.restartPolicy, "Never");
    assert.equal(pod.spec.automountServiceAccountToken, false);
    const [container] = pod.spec.containers;
    assert.deepEqual(container?.args, ["claude", "-p", "fix the tests"]);
    assert.equal(container?.command, undefined, "Docker's CMD is Kubernetes' args, not its command");
    assert.deepEqual(container?.securityContext.capabilities, { drop: ["ALL"], add: [...capabilityAllowlist] });
    assert.equal(container?.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container?.resources, { requests: { cpu: "1500m", memory: String(2 * 1024 ** 3) }, limits: { cpu: "1500m", memory: String(2 * 1024 ** 3) } });
    assert.deepEqual(pod.metadata.labels, { "bailey.team": "team1", "bailey.run": "cm1abc2def", "bailey.role": "main" });
  });

  it("uses another RuntimeClass name when told, and none for an unsandboxed run", () => {
    assert.equal(runManifests(plan({ gvisorRuntimeClass: "runsc" })).pod.spec.runtimeClassName, "runsc");
    assert.equal(runManifests(plan({ main: main({ sandbox: "none" }) })).pod.spec.runtimeClassName, undefined);
  });

  it("keeps secret values in the Secret only, referenced from the Pod, and mounts secret files at /run/secrets", () => {
    const { pod, secret } = runManifests(plan({ secretEnv: { API_KEY: "sk-live-123" }, secretFiles: { "gh-token": "ghp_456" } }));
    assert.deepEqual(secret?.stringData, { "env.API_KEY": "sk-live-123", "file.gh-token": "ghp_456" });
    const podJson = JSON.stringify(pod);
    assert.ok(!podJson.includes("sk-live-123") && !podJson.includes("ghp_456"), "a secret value is in the Pod spec");
    const env = pod.spec.containers[0]?.env ?? [];
    assert.deepEqual(
      env.find((variable) => variable.name === "API_KEY"),
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "bailey-run-cm1abc2def", key: "env.API_KEY" } } },
    );
    assert.equal(env.filter((variable) => variable.name === "API_KEY").length, 1, "the plain value is not also set");
    assert.deepEqual(pod.spec.volumes, [{ name: "secrets", secret: { secretName: "bailey-run-cm1abc2def", defaultMode: 0o400, items: [{ key: "file.gh-token", path: "gh-token" }] } }]);
    assert.deepEqual(pod.spec.containers[0]?.volumeMounts, [{ name: "secrets", mountPath: "/run/secrets", readOnly: true }]);
    assert.equal(runManifests(plan()).secret, null);
  });

  it("runs docker:dind's BuildKit as a rootless native sidecar the run reaches on loopback", () => {
    const { pod } = runManifests(plan({ buildkit: { image: "moby/buildkit:rootless" } }));
    const [buildkit] = pod.spec.initContainers ?? [];
    assert.equal(buildkit?.restartPolicy, "Always", "a native sidecar is an init container with restartPolicy Always");
    assert.equal(buildkit?.securityContext.privileged, undefined);
    assert.equal(buildkit?.securityContext.runAsNonRoot, true);
    assert.ok(buildkit?.args?.includes("--oci-worker-no-process-sandbox"));
    assert.ok(pod.spec.containers[0]?.env?.some((variable) => variable.name === "BUILDKIT_HOST" && variable.value === "tcp://127.0.0.1:1234"));
  });

  it("an open run may reach outside the cluster and DNS, never the cluster's own ranges, and nothing may reach it", () => {
    const { networkPolicy } = runManifests(plan());
    assert.deepEqual(networkPolicy.spec.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(networkPolicy.spec.ingress, []);
    assert.deepEqual(networkPolicy.spec.egress[0], { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: clusterCidrs } }] });
    assert.deepEqual(networkPolicy.spec.podSelector.matchLabels, { "bailey.run": "cm1abc2def", "bailey.role": "main" });
  });

  it("an open run with grants gets its proxy as a native sidecar on the Pod's loopback", () => {
    const { pod } = runManifests(plan({ egress: { kind: "proxied", proxy, port: 3128 } }));
    const sidecar = pod.spec.initContainers?.find((container) => container.name === "egress-proxy");
    assert.equal(sidecar?.restartPolicy, "Always");
    assert.deepEqual(sidecar?.ports, [{ name: "proxy", containerPort: 3128, protocol: "TCP" }]);
  });

  it("a strict run may reach only its proxy's Pod and port (not DNS); the proxy Pod only from its run, and out", () => {
    const { networkPolicy } = runManifests(plan({ egress: { kind: "strict", proxyRunLabel: "cm1abc2def", port: 3128 } }));
    assert.deepEqual(networkPolicy.spec.egress, [{ to: [{ podSelector: { matchLabels: { "bailey.run": "cm1abc2def", "bailey.role": "egress-proxy" } } }], ports: [{ protocol: "TCP", port: 3128 }] }]);
    const proxyObjects = egressProxyManifests({ runId: "cm1abc2def", namespace: "bailey-runs", proxy, port: 3128, clusterCidrs });
    assert.equal(proxyObjects.pod.metadata.name, "bailey-egress-cm1abc2def");
    assert.equal(proxyObjects.pod.spec.containers[0]?.restartPolicy, undefined, "the proxy is the Pod's main container, not a sidecar");
    assert.deepEqual(proxyObjects.networkPolicy.spec.ingress, [
      { from: [{ podSelector: { matchLabels: { "bailey.run": "cm1abc2def", "bailey.role": "main" } } }], ports: [{ protocol: "TCP", port: 3128 }] },
    ]);
    assert.deepEqual(proxyObjects.networkPolicy.spec.egress[0], { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: clusterCidrs } }] });
  });

  it("maps user, workdir, tty, DNS, extra hosts and sysctls; a timeout becomes the Pod's deadline", () => {
    const { pod } = runManifests(
      plan({
        main: main({
          user: "1000:1001",
          workdir: "/workspace",
          tty: true,
          openStdin: true,
          dns: ["10.0.0.53"],
          extraHosts: ["egress-proxy:10.1.2.3"],
          sysctls: { "net.ipv6.conf.all.disable_ipv6": "1" },
        }),
        timeoutSeconds: 600,
      }),
    );
    const [container] = pod.spec.containers;
    assert.equal(container?.securityContext.runAsUser, 1000);
    assert.equal(container?.securityContext.runAsGroup, 1001);
    assert.equal(container?.workingDir, "/workspace");
    assert.equal(container?.tty, true);
    assert.equal(container?.stdin, true);
    assert.deepEqual(pod.spec.dnsConfig, { nameservers: ["10.0.0.53"] });
    assert.equal(pod.spec.dnsPolicy, "None");
    assert.deepEqual(pod.spec.hostAliases, [{ ip: "10.1.2.3", hostnames: ["egress-proxy"] }]);
    assert.deepEqual(pod.spec.securityContext?.sysctls, [{ name: "net.ipv6.conf.all.disable_ipv6", value: "1" }]);
    assert.equal(pod.spec.activeDeadlineSeconds, 600);
  });

  it("refuses, saying what to do, what a Pod cannot be given", () => {
    const refused = (overrides: Partial<KubernetesRunPlan>, pattern: RegExp) =>
      assert.throws(
        () => runManifests(plan(overrides)),
        (error: unknown) => error instanceof KubernetesManifestError && pattern.test(error.message),
      );
    refused({ main: main({ mountEngineSocket: true }) }, /docker:host .*use docker:dind/);
    refused({ main: main({ privileged: true }) }, /privileged/);
    refused({ main: main({ readWriteBinds: [{ source: "/srv/ws", target: "/workspace" }] }) }, /Host directories/);
    refused({ main: main({ user: "node" }) }, /numeric uid/);
    refused({ main: main({ labels: { "bailey.team": "x".repeat(64) } }) }, /Label "bailey.team"/);
    refused({ main: main({ labels: { "-bad": "1" } }) }, /Label key "-bad"/);
    refused({ main: main({ hostname: "Not_A_Label" }) }, /not a valid DNS label/);
    refused({ runId: "x".repeat(60) }, /cannot name a Kubernetes object/);
    refused({ secretEnv: { "BAD KEY": "v" } }, /cannot be a Kubernetes Secret key/);
  });
});
