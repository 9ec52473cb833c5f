import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ContainerNotFoundError } from "../errors";
import type { ContainerSpec, LogChunk, Runtime, Sandbox } from "../types";

export interface ConformanceTarget {
  name: string;
  open(): Promise<Runtime>;
  /** An image with busybox's sh, sleep, echo, httpd and wget. */
  image: string;
  sandbox: Sandbox;
  /** The OCI runtime inspect should report for this sandbox, where the backend reports one. */
  expectedOciRuntime?: string;
  /** Run the image build checks (real engines). */
  builds?: boolean;
}

async function readAll(stream: AsyncIterable<LogChunk>): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  for await (const chunk of stream) {
    if (chunk.stream === "stderr") stderr += chunk.data.toString();
    else stdout += chunk.data.toString();
  }
  return { stdout, stderr };
}

/** The behaviour every backend must show; each backend's test file calls this once. */
export function conformanceSuite(target: ConformanceTarget): void {
  describe(`runtime conformance: ${target.name}`, () => {
    let runtime: Runtime;
    const testRun = randomBytes(4).toString("hex");
    const labels = { "bailey.conformance": testRun };
    let counter = 0;
    const spec = (overrides: Partial<ContainerSpec>): ContainerSpec => ({
      name: `bailey-conformance-${testRun}-${++counter}`,
      image: target.image,
      labels,
      sandbox: target.sandbox,
      resources: { pids: 128, memoryBytes: 256 * 1024 ** 2, cpus: 1 },
      ...overrides,
    });

    before(async () => {
      runtime = await target.open();
      await runtime.ping();
    });

    after(async () => {
      if (!runtime) return;
      for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
      const networks = runtime.networkManager();
      if (networks) for (const network of await networks.listNetworks(labels)) await networks.removeNetwork(network.id);
      await runtime.close();
    });

    it("runs a command to completion with its exit code, separate stdout and stderr, and labels", async () => {
      const id = await runtime.createContainer(spec({ command: ["sh", "-c", "echo out; echo err >&2; exit 3"] }));
      await runtime.startContainer(id);
      assert.equal(await runtime.waitContainer(id), 3);
      const info = await runtime.inspectContainer(id);
      assert.equal(info.status, "exited");
      assert.equal(info.exitCode, 3);
      assert.equal(info.running, false);
      assert.equal(info.labels["bailey.conformance"], testRun);
      if (target.expectedOciRuntime) assert.equal(info.ociRuntime, target.expectedOciRuntime);
      assert.deepEqual(await readAll(await runtime.logs(id)), { stdout: "out\n", stderr: "err\n" });
      assert.ok(
        (await runtime.listContainers(labels)).some((container) => container.id === id),
        "list by labels finds it",
      );
      assert.deepEqual(await runtime.listContainers({ "bailey.conformance": "someone-else" }), []);
    });

    it("execs into a running container, with and without a TTY, and stops it within the grace period", async () => {
      const id = await runtime.createContainer(spec({ command: ["sleep", "300"] }));
      await runtime.startContainer(id);
      assert.equal((await runtime.inspectContainer(id)).running, true);
      assert.deepEqual(await runtime.exec(id, ["echo", "hi"]), { exitCode: 0, stdout: "hi\n", stderr: "" });
      const tty = await runtime.exec(id, ["echo", "hi"], { tty: true });
      assert.equal(tty.exitCode, 0);
      assert.equal(tty.stdout.trim(), "hi");
      assert.equal((await runtime.exec(id, ["sh", "-c", "exit 4"])).exitCode, 4);

      const waited = runtime.waitContainer(id);
      await runtime.stopContainer(id, 1);
      assert.notEqual(await waited, 0, "a stopped container reports a non-zero exit");
      assert.equal((await runtime.inspectContainer(id)).running, false);
      await runtime.stopContainer(id, 1); // stopping a stopped container is fine
    });

    it("follows logs until the container exits, and honours since", async () => {
      const id = await runtime.createContainer(spec({ command: ["sh", "-c", "echo one; sleep 1; echo two"] }));
      const startedAt = new Date();
      await runtime.startContainer(id);
      const followed = await readAll(await runtime.logs(id, { follow: true }));
      assert.equal(followed.stdout, "one\ntwo\n");
      await runtime.waitContainer(id);
      const future = new Date(startedAt.getTime() + 60_000);
      assert.deepEqual(await readAll(await runtime.logs(id, { since: future })), { stdout: "", stderr: "" });
    });

    it("removes running containers by force, and removing again is not an error", async () => {
      const id = await runtime.createContainer(spec({ command: ["sleep", "300"] }));
      await runtime.startContainer(id);
      await runtime.removeContainer(id);
      await assert.rejects(runtime.inspectContainer(id), ContainerNotFoundError);
      await runtime.removeContainer(id);
    });

    it("refuses a second container with the same name", async () => {
      const named = spec({ command: ["sleep", "300"] });
      await runtime.createContainer(named);
      await assert.rejects(runtime.createContainer({ ...named }), /already exists/);
    });

    it("wires a sidecar on a labelled network, reachable by its hostname, where networks and sidecars exist", async (t) => {
      const networks = runtime.networkManager();
      const sidecars = runtime.sidecarManager();
      if (!networks || !sidecars) return t.diagnostic(`${target.name} has no network/sidecar manager (pinned in feature-managers.test.ts)`);
      const network = await networks.createNetwork(`bailey-conformance-${testRun}`, labels);
      assert.deepEqual(await networks.createNetwork(network.name, labels), network, "a retried create returns the same network");
      assert.ok((await networks.listNetworks(labels)).some((listed) => listed.id === network.id));

      const sidecar = await sidecars.startSidecar({
        name: `bailey-conformance-${testRun}-sidecar`,
        image: target.image,
        network: network.name,
        hostname: "buildkit",
        labels: { ...labels, "bailey.role": "buildkit" },
        sandbox: target.sandbox,
        command: ["sh", "-c", "mkdir -p /www && echo ready > /www/index.html && httpd -f -p 1234 -h /www"],
      });
      assert.equal(sidecar.running, true);
      assert.ok(sidecar.networks.includes(network.name));
      assert.equal((await sidecars.inspectSidecar(sidecar.id)).labels["bailey.role"], "buildkit");

      const client = await runtime.createContainer(
        // nc rather than wget: busybox's wget misreads gVisor's non-blocking sockets (EAGAIN).
        spec({
          network: network.name,
          command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 buildkit 1234 | grep -q ready && exit 0; sleep 0.5; done; exit 1"],
        }),
      );
      await runtime.startContainer(client);
      assert.equal(await runtime.waitContainer(client), 0, "the main container reaches the sidecar as buildkit:1234");

      await runtime.removeContainer(client);
      await runtime.removeContainer(sidecar.id);
      await networks.removeNetwork(network.id);
      await networks.removeNetwork(network.id); // absent is fine
      assert.deepEqual(await networks.listNetworks(labels), []);
    });

    it("strict-run networking: an internal network has no way out, a dual-homed sidecar is reachable on it, dns/extraHosts/sysctls apply", async (t) => {
      const networks = runtime.networkManager();
      const sidecars = runtime.sidecarManager();
      if (!networks || !sidecars || runtime.type === "mock") return t.diagnostic(`${target.name}: no real networks to test`);
      const probe = (host: string, port: number) =>
        `if out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} 2>&1) && [ -n "$out" ]; then echo "REACHED:$out"; else echo "BLOCKED:$out"; fi`;
      const tryOnce = async (id: string, host: string, port: number) => (await runtime.exec(id, ["sh", "-c", probe(host, port)])).stdout;
      /** A server just started may not answer yet, so reaching is retried; a block is checked once. */
      const reach = async (id: string, host: string, port: number) => {
        let result = "";
        for (let attempt = 0; attempt < 10; attempt++) {
          result = await tryOnce(id, host, port);
          if (result.startsWith("REACHED")) break;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        return result;
      };
      const serve = (marker: string, port: number) => ["sh", "-c", `mkdir -p /www && echo ${marker} > /www/index.html && httpd -f -p ${port} -h /www`];

      const outside = await networks.createNetwork(`bailey-conformance-${testRun}-out`, labels);
      const internal = await networks.createNetwork(`bailey-conformance-${testRun}-int`, labels, { internal: true });
      assert.deepEqual(await networks.createNetwork(internal.name, labels, { internal: true }), internal, "a retried internal create returns the same network");
      await assert.rejects(networks.createNetwork(internal.name, labels), /already exists internal/, "an existing internal network is not handed out as an open one");

      const listenerId = await runtime.createContainer(spec({ network: outside.name, command: serve("outside-listener", 8080) }));
      await runtime.startContainer(listenerId);
      const listenerIp = (await runtime.inspectContainer(listenerId)).ipAddresses?.[outside.name];
      assert.match(listenerIp ?? "", /^\d+\.\d+\.\d+\.\d+$/, "inspect reports the listener's IPv4 on its network");

      const proxy = await sidecars.startSidecar({
        name: `bailey-conformance-${testRun}-proxy`,
        image: target.image,
        network: internal.name,
        networkAliases: ["egress-proxy"],
        extraNetworks: [outside.name],
        hostname: "proxy",
        labels: { ...labels, "bailey.role": "egress-proxy" },
        sandbox: target.sandbox,
        command: serve("proxy-answers", 3128),
      });
      assert.deepEqual([...proxy.networks].sort(), [internal.name, outside.name].sort(), "the sidecar is on both networks");
      const proxyIp = proxy.ipAddresses?.[internal.name] ?? "";
      assert.match(proxyIp, /^\d+\.\d+\.\d+\.\d+$/, "inspect reports the sidecar's IPv4 on the internal network");
      assert.match(proxy.ipAddresses?.[outside.name] ?? "", /^\d+\.\d+\.\d+\.\d+$/);
      await networks.connectNetwork?.(outside.name, proxy.id); // joining again is not an error

      const main = await runtime.createContainer(
        spec({
          network: internal.name,
          command: ["sleep", "300"],
          dns: ["127.0.0.255"],
          extraHosts: [`proxy-by-hosts:${proxyIp}`],
          sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1", "net.ipv4.ip_local_port_range": "40000 40100" },
        }),
      );
      await runtime.startContainer(main);
      assert.deepEqual((await runtime.inspectContainer(main)).networks, [internal.name], "the main container is only on the internal network");

      assert.match(await reach(proxy.id, listenerIp ?? "", 8080), /REACHED:.*outside-listener/s, "control: the dual-homed sidecar reaches the listener");
      assert.match(await tryOnce(main, listenerIp ?? "", 8080), /^BLOCKED/, "the internal network has no way to the other network");
      assert.match(await reach(main, "proxy-by-hosts", 3128), /REACHED:.*proxy-answers/s, "the sidecar is reachable by an ExtraHosts name");
      // Podman's CNI has no name resolution on internal networks (measured); Docker's embedded DNS answers aliases there.
      if (runtime.type === "docker") assert.match(await reach(main, "egress-proxy", 3128), /REACHED:.*proxy-answers/s, "the sidecar is reachable by its alias");

      const inside = (await runtime.exec(main, ["sh", "-c", "cat /etc/resolv.conf; cat /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv4/ip_local_port_range"])).stdout;
      if (runtime.type === "docker") {
        // On a user network Docker's resolv.conf names its embedded DNS, which forwards what it cannot answer to `dns` (the design's measurement).
        assert.match(inside, /^nameserver 127\.0\.0\.11$/m, "Docker keeps its embedded DNS for names on the network");
        const plain = await runtime.createContainer(spec({ command: ["cat", "/etc/resolv.conf"], dns: ["127.0.0.255"] }));
        await runtime.startContainer(plain);
        await runtime.waitContainer(plain);
        assert.match((await readAll(await runtime.logs(plain))).stdout, /^nameserver 127\.0\.0\.255$/m, "dns is the resolver where no embedded DNS stands in front");
      } else {
        assert.match(inside, /^nameserver 127\.0\.0\.255$/m, "dns replaces the engine's resolver");
      }
      if (target.expectedOciRuntime === "runsc") {
        // gVisor shows its own /proc/sys (no disable_ipv6 file at all); strict mode uses no sysctls on Docker.
        t.diagnostic(`${target.name}: sysctls are passed to the engine but gVisor's /proc/sys does not show them`);
      } else {
        assert.match(inside, /^1$/m, "net.ipv6.conf.all.disable_ipv6=1 applied");
        assert.match(inside, /^40000\s+40100$/m, "net.ipv4.ip_local_port_range applied");
      }

      const doomedName = `bailey-conformance-${testRun}-doomed-join`;
      await assert.rejects(runtime.createContainer(spec({ name: doomedName, network: internal.name, extraNetworks: [`bailey-no-such-network-${testRun}`], command: ["sleep", "300"] })));
      assert.equal((await runtime.listContainers(labels)).filter((container) => container.name === doomedName).length, 0, "a failed join removes the container it created");

      for (const id of [main, proxy.id, listenerId]) await runtime.removeContainer(id);
      await networks.removeNetwork(internal.id);
      await networks.removeNetwork(outside.id);
    });

    it("a sidecar that cannot start leaves nothing behind", async (t) => {
      const sidecars = runtime.sidecarManager();
      if (!sidecars) return t.diagnostic(`${target.name} has no sidecar manager`);
      const sidecarLabels = { ...labels, "bailey.role": "doomed" };
      await assert.rejects(
        sidecars.startSidecar({
          name: `bailey-conformance-${testRun}-doomed`,
          image: target.image,
          network: `bailey-no-such-network-${testRun}`,
          hostname: "doomed",
          labels: sidecarLabels,
          sandbox: target.sandbox,
          command: ["sleep", "300"],
        }),
      );
      assert.deepEqual(await runtime.listContainers(sidecarLabels), []);
    });

    it("builds an image from a Dockerfile and context, where builds exist", async (t) => {
      const builds = runtime.buildManager();
      if (!builds || !target.builds) return t.diagnostic(`${target.name}: image builds are not exercised here`);
      const context = await mkdtemp(path.join(tmpdir(), "bailey-build-"));
      const tag = `bailey-conformance-build:${testRun}`;
      try {
        await writeFile(path.join(context, "Dockerfile"), `FROM ${target.image}\nCOPY greeting.txt /greeting.txt\n`);
        await writeFile(path.join(context, "greeting.txt"), "built by bailey\n");
        assert.equal(await builds.imageExists(tag), false);
        await builds.buildImage({ contextDir: context, tag });
        assert.equal(await builds.imageExists(tag), true);
        const id = await runtime.createContainer(spec({ image: tag, command: ["cat", "/greeting.txt"] }));
        await runtime.startContainer(id);
        assert.equal(await runtime.waitContainer(id), 0);
        assert.equal((await readAll(await runtime.logs(id))).stdout, "built by bailey\n");
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    });
  });
}
