import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import type { DockerRuntime } from "../src/drivers/docker/runtime";
import { createPodmanRuntime } from "../src/drivers/podman";
import { engineRequest } from "../src/drivers/docker/engine-request";
import { collect } from "../src/drivers/docker/log-demux";
import { podmanTestImage, startPodmanService, type PodmanService } from "./support/engines";

// Podman's bridge networks reach each other unless made with `isolate`; these pin that a run's
// network on Podman is cut off as on Docker, that its log is capped, and that both come apart cleanly.
const testRun = `piso-${randomBytes(3).toString("hex")}`;
const labels = { "bailey.managed": "true", "bailey.host-id": testRun };
const logMaxSize = 64 * 1024;
const tryConnect = `try() { if out=$(nc -w 3 "$1" "$2" </dev/null 2>&1) && [ -n "$out" ]; then echo "$3=REACHED:$out"; else echo "$3=BLOCKED"; fi; }`;

describe("Podman: a run's own network and capped log", () => {
  let service: PodmanService;
  let runtime: DockerRuntime;

  before(async () => {
    service = await startPodmanService();
    runtime = createPodmanRuntime(service.socketPath, undefined, { maxSize: "64k", maxFiles: 2 });
  });
  after(async () => {
    if (runtime) {
      for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
      const networks = runtime.networkManager();
      for (const network of (await networks?.listNetworks(labels)) ?? []) await networks?.removeNetwork(network.id);
    }
    await service?.stop();
  });

  const runOn = async (name: string, command: string) => {
    const network = await runtime.networkManager()!.createNetwork(`bailey-${testRun}-${name}`, { ...labels, "bailey.run-id": `${testRun}-${name}` });
    const id = await runtime.createContainer({ name: `bailey-${testRun}-${name}`, image: podmanTestImage, command: ["sh", "-c", command], labels, sandbox: "none", network: network.name });
    await runtime.startContainer(id);
    const inspected = (await runtime.engine.getContainer(id).inspect()) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
    return { id, network, address: inspected.NetworkSettings.Networks[network.name]?.IPAddress ?? "" };
  };

  it("a run cannot connect to another run's listener, nor to the host's 127.0.0.1, while the listener answers on its own network", async () => {
    const loopback = net.createServer((socket) => socket.end("host-loopback\n"));
    await new Promise<void>((resolve) => loopback.listen(0, "127.0.0.1", resolve));
    let loopbackConnections = 0;
    loopback.on("connection", () => loopbackConnections++);
    try {
      const a = await runOn("a", "while true; do echo from-run-a | nc -l -p 8080; done");
      const b = await runOn("b", "sleep 300");
      const options = await engineRequest<{ options?: Record<string, string> }>(runtime.engine, { path: `/v4.0.0/libpod/networks/${a.network.name}/json`, notFound: "no such network" });
      assert.equal(options.options?.isolate, "true", "made with Podman's isolate option");
      assert.match(a.address, /^\d+\.\d+\.\d+\.\d+$/);

      let self = "";
      for (let attempt = 0; attempt < 50 && !self.includes("from-run-a"); attempt++) {
        self = (await runtime.exec(a.id, ["sh", "-c", `${tryConnect}; try ${a.address} 8080 self`])).stdout;
        if (!self.includes("from-run-a")) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.match(self, /self=REACHED:from-run-a/);

      const port = (loopback.address() as net.AddressInfo).port;
      const probe = `${tryConnect}; try ${a.address} 8080 other-run; GW=$(ip route | awk '/^default/ {print $3}'); try $GW ${port} loopback-via-gateway; try 127.0.0.1 ${port} loopback`;
      const { stdout } = await runtime.exec(b.id, ["sh", "-c", probe]);
      assert.match(stdout, /other-run=BLOCKED/);
      assert.match(stdout, /loopback-via-gateway=BLOCKED/);
      assert.match(stdout, /loopback=BLOCKED/);
      assert.equal(loopbackConnections, 0);
    } finally {
      loopback.close();
    }
  });

  it("a container's log is a k8s-file capped at max-size, still read and followed; its network is removed with the exited container on it, which keeps its logs", async () => {
    const lines = 20_000;
    const c = await runOn("c", `i=0; while [ $i -lt ${lines} ]; do echo "line-$i-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; i=$((i+1)); done; sleep 1; echo done-marker`);
    const { stdout: followed } = await collect(await runtime.logs(c.id, { follow: true }));
    assert.match(followed, /done-marker/, "a follower reads to the end");
    assert.equal(await runtime.waitContainer(c.id), 0);

    const inspect = spawnSync("podman", ["inspect", c.id, "--format", "{{json .HostConfig.LogConfig}}"], { encoding: "utf8" });
    const logConfig = JSON.parse(inspect.stdout) as { Type: string; Size: string; Path: string };
    assert.equal(logConfig.Type, "k8s-file");
    assert.match(logConfig.Size, /kB$/, `max-size reached Podman: ${inspect.stdout}`);
    const onDisk = (await stat(logConfig.Path)).size;
    assert.ok(onDisk <= logMaxSize, `${onDisk} bytes on disk, at most ${logMaxSize}`);
    assert.ok(onDisk > logMaxSize / 4, `${onDisk} bytes: the log was written and truncated, not empty`);

    await runtime.networkManager()!.removeNetwork(c.network.name);
    assert.deepEqual(await runtime.networkManager()!.listNetworks({ "bailey.run-id": `${testRun}-c` }), []);
    const { stdout: tail } = await collect(await runtime.logs(c.id, { tail: 2 }));
    assert.match(tail, new RegExp(`line-${lines - 1}-a+\\ndone-marker`));
  });
});
