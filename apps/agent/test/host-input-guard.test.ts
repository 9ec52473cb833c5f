// The host-input guard on real Docker under runc and runsc: a container on an internal network
// reaches a listener on the host's addresses until its bridge is guarded, is refused at once
// while it is, and reaches it again after release, which leaves no rule of the run behind.
// Everything made here is labelled or tagged with this file's random suffix and removed after.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { createPodmanRuntime, type DockerRuntime, UnsupportedFeatureError } from "@bailey/runtime";
import { dockerTestImage, type PodmanService, podmanTestImage, requireDocker, requireRunsc, startPodmanService } from "@bailey/runtime/testing";
import { guardedRunIds, guardHostInput, releaseHostInput, strictContainerNetworkSettings } from "../src/egress/host-input-guard";

const here = path.dirname(fileURLToPath(import.meta.url));
const agentDir = path.join(here, "..");
const suffix = randomBytes(3).toString("hex");
const labels = { "bailey.test": `host-input-guard-${suffix}` };
const runIds = { none: `guard-${suffix}-runc`, gvisor: `guard-${suffix}-runsc` } as const;
const execFileAsync = promisify(execFile);

function rulesOf(runId: string): string[] {
  const listing = execFileSync("iptables", ["-w", "5", "-S", "INPUT"], { encoding: "utf8" });
  return listing.split("\n").filter((line) => line.includes(`--comment bailey-run-${runId} `) || line.endsWith(`--comment bailey-run-${runId}`));
}

/** One HTTP/1.0 request with busybox nc (its wget segfaults in the test image): what came back, or why not, and how long it took. */
async function probe(runtime: DockerRuntime, containerId: string, address: string, port: number): Promise<{ reached: boolean; output: string; ms: number }> {
  const started = Date.now();
  const script = `if out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${address} ${port} 2>&1) && [ -n "$out" ]; then echo "REACHED:$out"; else echo "BLOCKED:$out"; fi`;
  const { stdout } = await runtime.exec(containerId, ["sh", "-c", script]);
  return { reached: stdout.startsWith("REACHED") && stdout.includes("host-listener"), output: stdout.trim(), ms: Date.now() - started };
}

function linkLocalOf(interfaceName: string): string | undefined {
  return networkInterfaces()[interfaceName]?.find((address) => address.family === "IPv6" && address.address.startsWith("fe80:"))?.address;
}

/** A listener on every host address, IPv4 and IPv6 (`::` is dual-stack here). */
async function hostListener(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_request, response) => response.end("host-listener\n"));
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe("host input guard (Docker)", () => {
  let runtime: DockerRuntime;
  let server: http.Server;
  let port: number;
  let ipv6Port: number;

  before(async () => {
    runtime = await requireDocker();
    await requireRunsc(runtime);
    try {
      execFileSync("iptables", ["-w", "5", "-S", "INPUT"], { stdio: "pipe" });
    } catch (error) {
      throw new Error(`These tests need iptables and root (apt-get install iptables; run as root): ${(error as Error).message}`);
    }
    ({ server, port } = await hostListener());
    ipv6Port = port;
  });

  after(async () => {
    for (const runId of Object.values(runIds)) await releaseHostInput(runId).catch(() => undefined);
    if (runtime) {
      for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
      const networks = runtime.networkManager();
      for (const network of (await networks?.listNetworks(labels)) ?? []) await networks?.removeNetwork(network.id);
    }
    await new Promise((resolve) => server?.close(resolve));
  });

  for (const sandbox of ["none", "gvisor"] as const) {
    it(`${sandbox === "none" ? "runc" : "runsc"}: the host is reachable from an internal network until guarded, refused while guarded, reachable after release`, async () => {
      const runId = runIds[sandbox];
      const networks = runtime.networkManager()!;
      const network = await networks.createNetwork(`bailey-guard-${suffix}-${sandbox}`, labels, { internal: true });
      const inspected = (await runtime.engine.getNetwork(network.id).inspect()) as { Internal: boolean; IPAM: { Config: { Gateway?: string }[] } };
      assert.equal(inspected.Internal, true);
      const gateway = inspected.IPAM.Config[0]?.Gateway ?? "";
      assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
      // The bridge's own address, and another of the host's (docker0's) that the bridge also reaches.
      const docker0 = networkInterfaces().docker0?.find((address) => address.family === "IPv4")?.address;
      const hostAddresses = [gateway, ...(docker0 ? [docker0] : [])];

      const containerId = await runtime.createContainer({
        name: `bailey-guard-${suffix}-${sandbox}`,
        image: dockerTestImage,
        command: ["sleep", "300"],
        labels,
        sandbox,
        network: network.name,
        ...strictContainerNetworkSettings("docker"),
      });
      await runtime.startContainer(containerId);

      for (const address of hostAddresses) {
        const open = await probe(runtime, containerId, address, port);
        assert.ok(open.reached, `before the guard ${address}:${port} answers (Docker's rules are in FORWARD only): ${open.output}`);
      }
      // The guard is IPv4 only: IPv6 must already be closed (runc disables it in Docker's containers, runsc has none).
      const bridgeLinkLocal = linkLocalOf(`br-${network.id.slice(0, 12)}`);
      assert.ok(bridgeLinkLocal, "the bridge has an IPv6 link-local address to try");
      const linkLocal = await probe(runtime, containerId, `${bridgeLinkLocal}%eth0`, ipv6Port);
      assert.equal(linkLocal.reached, false, `the host's IPv6 link-local address must not answer: ${linkLocal.output}`);

      await guardHostInput({ runId, networkId: network.id, runtime });
      await guardHostInput({ runId, networkId: network.id, runtime }); // a retry adds nothing
      const rules = rulesOf(runId);
      assert.equal(rules.length, 2, `two rules tagged with the run: ${rules.join(" | ")}`);
      const acceptAt = rules.findIndex((rule) => rule.includes("-j ACCEPT"));
      const rejectAt = rules.findIndex((rule) => rule.includes("-j REJECT"));
      assert.ok(acceptAt !== -1 && rejectAt !== -1 && acceptAt < rejectAt, `ACCEPT for replies comes before REJECT: ${rules.join(" | ")}`);
      assert.ok(
        rules.every((rule) => rule.includes(`-i br-${network.id.slice(0, 12)} `)),
        "on the network's bridge",
      );
      assert.ok((await guardedRunIds()).includes(runId));

      for (const address of hostAddresses) {
        const closed = await probe(runtime, containerId, address, port);
        assert.equal(closed.reached, false, `guarded, ${address}:${port} must not answer: ${closed.output}`);
        assert.match(closed.output, /refused/i, `REJECT answers at once rather than timing out: ${closed.output}`);
        assert.ok(closed.ms < 2500, `refused in ${closed.ms} ms, not after nc's 3 s timeout`);
      }

      assert.equal(await releaseHostInput(runId), 2);
      assert.deepEqual(rulesOf(runId), [], "release leaves no rule of the run");
      assert.ok(!(await guardedRunIds()).includes(runId));
      assert.equal(await releaseHostInput(runId), 0, "releasing again finds nothing");
      const reopened = await probe(runtime, containerId, gateway, port);
      assert.ok(reopened.reached, `after release the host answers again: ${reopened.output}`);

      await runtime.removeContainer(containerId);
      await networks.removeNetwork(network.id);
    });
  }

  it("a release of one run leaves another run's rules, even when one id is the other's prefix", async () => {
    const networks = runtime.networkManager()!;
    const network = await networks.createNetwork(`bailey-guard-${suffix}-prefix`, labels, { internal: true });
    const short = `guard-${suffix}-p`;
    const long = `guard-${suffix}-p-2`;
    try {
      await guardHostInput({ runId: short, networkId: network.id, runtime });
      await guardHostInput({ runId: long, networkId: network.id, runtime });
      assert.equal(await releaseHostInput(short), 2);
      assert.equal(rulesOf(long).length, 2, "the other run keeps its rules");
      assert.deepEqual(
        (await guardedRunIds()).filter((id) => id.startsWith(`guard-${suffix}-p`)),
        [long],
      );
    } finally {
      await releaseHostInput(short);
      await releaseHostInput(long);
      await networks.removeNetwork(network.id);
    }
    assert.deepEqual(rulesOf(long), []);
  });

  it("refuses what it cannot guard, adding no rule", async () => {
    const runId = `guard-${suffix}-bad`;
    await assert.rejects(guardHostInput({ runId: "Not A Run", networkId: "0123456789ab" }), /Cannot guard host input for run id "Not A Run"/);
    await assert.rejects(guardHostInput({ runId, networkId: "bailey-some-network" }), /give the engine's network id/);
    await assert.rejects(guardHostInput({ runId, networkId: "0123456789abcdef" }), /The bridge br-0123456789ab of network 0123456789abcdef is not on this host/);
    assert.deepEqual(rulesOf(runId), []);
  });

  it("guardedRunIds lists only run ids it could release: a hand-made rule with another tail is left alone", async () => {
    // An interface that does not exist, so the rule matches nothing while it is there.
    const foreign = ["INPUT", "-i", `bly-${suffix}`, "-m", "comment", "--comment", `bailey-run-Not Ours ${suffix}`, "-j", "ACCEPT"];
    execFileSync("iptables", ["-w", "5", "-I", ...foreign]);
    try {
      assert.ok(execFileSync("iptables", ["-w", "5", "-S", "INPUT"], { encoding: "utf8" }).includes(`"bailey-run-Not Ours ${suffix}"`), "iptables quotes the comment");
      assert.ok(!(await guardedRunIds()).some((id) => id.includes(suffix)));
    } finally {
      execFileSync("iptables", ["-w", "5", "-D", ...foreign]);
    }
  });

  it("answers the strict main container's settings per engine, and refuses engines without internal networks", () => {
    assert.deepEqual(strictContainerNetworkSettings("docker"), { dns: ["127.0.0.255"], hostInputGuard: true });
    assert.deepEqual(strictContainerNetworkSettings("podman"), {
      sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" },
      hostInputGuard: false,
    });
    assert.throws(() => strictContainerNetworkSettings("apple"), UnsupportedFeatureError);
  });

  // In a child process, so only it lacks iptables or root.
  const guardedRunIdsIn = async (prefix: string[], env: NodeJS.ProcessEnv) => {
    const script = `import("./src/egress/host-input-guard.ts").then((m) => m.guardedRunIds()).then(() => console.log("no error"), (e) => console.log(e.name + ": " + e.message))`;
    const { stdout } = await execFileAsync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), "--import", "tsx", "-e", script], {
      cwd: agentDir,
      env,
      encoding: "utf8",
    });
    return stdout.trim();
  };

  it("without iptables, or without root, says what the agent needs", async () => {
    const missing = await guardedRunIdsIn([], { ...process.env, PATH: path.dirname(process.execPath) === "/usr/bin" ? "/usr/bin:/bin" : path.dirname(process.execPath) });
    assert.match(missing, /^HostFirewallUnavailableError: Strict egress on Docker needs the agent to run as root .*apt-get install iptables.*iptables is not installed/);
    const notRoot = await guardedRunIdsIn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], { ...process.env, HOME: "/tmp" });
    assert.match(notRoot, /^HostFirewallUnavailableError: Strict egress on Docker needs the agent to run as root .*Permission denied/);
  });
});

describe("strict settings on Podman (no host rule)", () => {
  let service: PodmanService;
  let runtime: DockerRuntime;
  let listener: { server: http.Server; port: number };

  before(async () => {
    service = await startPodmanService();
    runtime = createPodmanRuntime(service.socketPath);
    listener = await hostListener();
  });

  after(async () => {
    if (runtime) {
      for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
      const networks = runtime.networkManager();
      for (const network of (await networks?.listNetworks(labels)) ?? []) await networks?.removeNetwork(network.id);
    }
    await new Promise((resolve) => listener?.server.close(resolve));
    await service?.stop();
  });

  it("an internal network has no IPv4 way to the host; IPv6 link-local reaches it unless the strict sysctls are set", async () => {
    const network = await runtime.networkManager()!.createNetwork(`bailey-guard-${suffix}-podman`, labels, { internal: true });
    const libpod = { network_interface: execFileSync("podman", ["network", "inspect", network.name, "--format", "{{.NetworkInterface}}"], { encoding: "utf8" }).trim() };
    const start = async (name: string, settings: { sysctls?: Record<string, string> }) => {
      const id = await runtime.createContainer({
        name: `bailey-guard-${suffix}-${name}`,
        image: podmanTestImage,
        command: ["sleep", "300"],
        labels,
        sandbox: "none",
        network: network.name,
        ...settings,
      });
      await runtime.startContainer(id);
      return id;
    };
    const plain = await start("podman-plain", {});
    const strict = await start("podman-strict", strictContainerNetworkSettings("podman"));

    const hostIpv4 = Object.entries(networkInterfaces())
      .filter(([name]) => name !== "lo" && name !== libpod.network_interface)
      .flatMap(([, addresses]) => (addresses ?? []).filter((address) => address.family === "IPv4").map((address) => address.address));
    assert.ok(hostIpv4.length > 0, "the host has IPv4 addresses to try");
    for (const address of hostIpv4.slice(0, 3)) {
      const attempt = await probe(runtime, plain, address, listener.port);
      assert.equal(attempt.reached, false, `${address} must not answer from an internal Podman network: ${attempt.output}`);
    }

    const bridgeLinkLocal = linkLocalOf(libpod.network_interface);
    assert.ok(bridgeLinkLocal, `Podman's bridge ${libpod.network_interface} has an IPv6 link-local address to try`);
    const open = await probe(runtime, plain, `${bridgeLinkLocal}%eth0`, listener.port);
    assert.ok(open.reached, `control: without the sysctls the host answers on ${bridgeLinkLocal}: ${open.output}`);
    const closed = await probe(runtime, strict, `${bridgeLinkLocal}%eth0`, listener.port);
    assert.equal(closed.reached, false, `with the strict sysctls it must not: ${closed.output}`);
    assert.match(closed.output, /Cannot assign requested address/);
  });
});
