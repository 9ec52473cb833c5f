import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { UnsupportedFeatureError } from "../src";
import { createPodmanRuntime } from "../src/drivers/podman";
import { startPodmanService, type PodmanService } from "./support/engines";

let service: PodmanService;
before(async () => {
  service = await startPodmanService();
});
after(async () => service?.stop());

function libpod(method: string, path: string, body?: unknown): Promise<unknown> {
  const runtime = createPodmanRuntime(service.socketPath);
  return new Promise((resolve, reject) =>
    runtime.engine.modem.dial(
      { path, method, statusCodes: { 200: true, 201: true, 204: true, 404: true }, options: body ?? {}, ...(body ? { headers: { "content-type": "application/json" } } : {}) },
      (error: unknown, json: unknown) => (error ? reject(error) : resolve(json)),
    ),
  );
}

it("a Podman network that cannot resolve container names is refused, named as this host's setup, and removed", async () => {
  const runtime = createPodmanRuntime(service.socketPath);
  const name = `bailey-dnscheck-${process.pid}`;
  const labels = { "bailey.run-id": `dnscheck-${process.pid}`, "bailey.role": "network" };
  // As a Podman without its DNS plugin makes every network; the retried-create path then finds it as ours.
  await libpod("POST", "/v4.0.0/libpod/networks/create", { name, dns_enabled: false, labels });
  await assert.rejects(runtime.networkManager()!.createNetwork(name, labels), (error: unknown) => {
    assert.ok(error instanceof UnsupportedFeatureError);
    assert.match(error.message, /without name resolution.*golang-github-containernetworking-plugin-dnsname.*aardvark-dns/);
    return true;
  });
  assert.deepEqual(await runtime.networkManager()!.listNetworks(labels), [], "the unusable network was removed");

  const usable = await runtime.networkManager()!.createNetwork(`${name}-ok`, labels);
  assert.equal(usable.name, `${name}-ok`, "with the plugin installed (npm test installs it), networks are made as before");
  await runtime.networkManager()!.removeNetwork(usable.id);
});
