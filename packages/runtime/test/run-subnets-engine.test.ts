import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, it } from "node:test";
import Docker from "dockerode";
import { DockerNetworkManager } from "../src/drivers/docker/network-manager";
import { parseCidr, overlaps, parseRunSubnetPool, type Cidr, type RunSubnetPool } from "../src/drivers/docker/run-subnets";
import { dockerSocket, dockerTestImage, requireDocker } from "./support/engines";

// Docker's default pools hold about 30 bridge networks; a host's runs and warm-pool containers
// each need one. On the real engine: 40 run networks at once all get made, the ones past the
// engine's pools in the agent's range, each subnet distinct, and a container on one gets an address in it.
const label = `bailey.test-subnets=${randomBytes(4).toString("hex")}`;
const [labelKey, labelValue] = label.split("=") as [string, string];
const engine = new Docker({ socketPath: dockerSocket });

after(async () => {
  const containers = await engine.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(
    containers.map((container) =>
      engine
        .getContainer(container.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  const networks = await engine.listNetworks({ filters: { label: [label] } });
  for (const network of networks)
    await engine
      .getNetwork(network.Id)
      .remove()
      .catch(() => undefined);
});

it("40 run networks at once on the real engine: past its pools they come from BAILEY_RUN_SUBNETS, none overlapping, and a container on one gets an address there", { timeout: 180_000 }, async () => {
  await requireDocker();
  const pool = parseRunSubnetPool("10.213.0.0/16") as RunSubnetPool;
  const manager = new DockerNetworkManager(engine, false, pool);
  const names = Array.from({ length: 40 }, (_, index) => `bailey-subnets-${labelValue}-${index}`);
  await Promise.all(names.map((name) => manager.createNetwork(name, { [labelKey]: labelValue })));

  const subnets = new Map<string, Cidr>();
  for (const name of names) {
    const inspected = (await engine.getNetwork(name).inspect()) as { IPAM: { Config: { Subnet: string }[] } };
    subnets.set(name, parseCidr(inspected.IPAM.Config[0]!.Subnet) as Cidr);
  }
  const fromPool = names.filter((name) => overlaps(subnets.get(name)!, pool.base));
  assert.ok(fromPool.length >= 10, `at least 10 of 40 past the engine's ~30 pools came from 10.213.0.0/16 (got ${fromPool.length})`);
  const all = [...subnets.values()];
  for (const [index, subnet] of all.entries()) for (const other of all.slice(index + 1)) assert.ok(!overlaps(subnet, other), "no two run networks share addresses");

  const name = fromPool[0]!;
  const container = await engine.createContainer({ Image: dockerTestImage, Cmd: ["sleep", "30"], Labels: { [labelKey]: labelValue }, HostConfig: { NetworkMode: name } });
  await container.start();
  const address = ((await container.inspect()) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }).NetworkSettings.Networks[name]!.IPAddress;
  assert.ok(overlaps(parseCidr(`${address}/32`) as Cidr, subnets.get(name)!), `${address} is in ${name}'s subnet`);
});
