import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type Docker from "dockerode";
import { DockerNetworkManager } from "../src/drivers/docker/network-manager";
import { formatCidr, freeSubnets, hostRoutes, parseCidr, parseRunSubnetPool, type Cidr, type RunSubnetPool } from "../src/drivers/docker/run-subnets";

const pool = parseRunSubnetPool("10.213.0.0/16") as RunSubnetPool;
const cidr = (text: string) => parseCidr(text) as Cidr;

describe("the agent's own run subnets", () => {
  it("parses ranges and says what is wrong with a bad one", () => {
    assert.equal(formatCidr(cidr("10.213.0.0/16")), "10.213.0.0/16");
    assert.match(String(parseCidr("10.213.0.1/16")), /bits set past its \/16: write it as 10\.213\.0\.0\/16/);
    assert.match(String(parseCidr("10.213.0/16")), /not an IPv4 range/);
    assert.match(String(parseRunSubnetPool("10.213.0.0/25")), /fewer than 16 run networks/);
  });

  it("hands out /28s in order, skipping any that overlap a network or a route in use", () => {
    const used = [cidr("10.213.0.0/28"), cidr("10.213.0.32/27"), cidr("192.168.0.0/16")];
    const first = [...take(freeSubnets(pool, used), 3)].map(formatCidr);
    assert.deepEqual(first, ["10.213.0.16/28", "10.213.0.64/28", "10.213.0.80/28"]);
    // A route covering the whole range leaves nothing.
    assert.deepEqual([...freeSubnets(pool, [cidr("10.0.0.0/8")])], []);
    assert.equal([...freeSubnets(pool, [])].length, 4096);
  });

  it("reads the host's routes from /proc/net/route, leaving the default route out", () => {
    const table = [
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
    ].join("\n");
    assert.deepEqual(hostRoutes(table).map(formatCidr), ["192.168.0.0/24", "172.17.0.0/16"]);
  });
});

// As Docker 20.10 answers once its default pools are used up, and when an explicit subnet is taken.
const exhausted = Object.assign(new Error("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"), {
  statusCode: 400,
  json: { message: "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network" },
});
const overlap = Object.assign(new Error("Pool overlaps with other one on this address space"), { statusCode: 403, json: { message: "Pool overlaps with other one on this address space" } });

/** An engine with no default pool left, whose networks hold the given subnets. */
function engineWith(taken: string[], racedBy: string[] = []) {
  const created: string[] = [];
  const engine = {
    createNetwork: async (options: { Name: string; IPAM?: { Config: { Subnet: string }[] } }) => {
      const subnet = options.IPAM?.Config[0]?.Subnet;
      if (!subnet) throw exhausted;
      if (taken.includes(subnet) || racedBy.includes(subnet)) throw overlap;
      taken.push(subnet);
      created.push(subnet);
      return { id: `id-${options.Name}` };
    },
    listNetworks: async () => taken.map((subnet) => ({ IPAM: { Config: [{ Subnet: subnet }] } })),
  } as unknown as Docker;
  return { engine, created };
}

describe("a run network past the engine's pools", () => {
  it("gets a free /28 of the agent's range; concurrent ones get different ones", async () => {
    const { engine, created } = engineWith(["172.17.0.0/16", "10.213.0.0/28"]);
    const manager = new DockerNetworkManager(engine, false, pool);
    const networks = await Promise.all(Array.from({ length: 5 }, (_, index) => manager.createNetwork(`bailey-r${index}`, {})));
    assert.deepEqual(
      networks.map((network) => network.name),
      ["bailey-r0", "bailey-r1", "bailey-r2", "bailey-r3", "bailey-r4"],
    );
    assert.equal(new Set(created).size, 5);
    assert.ok(!created.includes("10.213.0.0/28"), created.join());
  });

  it("moves on when another engine client takes a subnet between the list and the create", async () => {
    const { engine, created } = engineWith([], ["10.213.0.0/28", "10.213.0.16/28"]);
    await new DockerNetworkManager(engine, false, pool).createNetwork("bailey-raced", {});
    assert.deepEqual(created, ["10.213.0.32/28"]);
  });

  it("with the range used up too, says both what ran out and how to give more", async () => {
    const small = parseRunSubnetPool("10.213.0.0/24") as RunSubnetPool;
    const { engine } = engineWith(["10.213.0.0/24"]);
    await assert.rejects(new DockerNetworkManager(engine, false, small).createNetwork("bailey-full", {}), /no \/28 left either.*BAILEY_RUN_SUBNETS=10\.0\.0\.0\/12.*default-address-pools/);
  });

  it("with BAILEY_RUN_SUBNETS=off, the engine's refusal stands, with the way out", async () => {
    const { engine } = engineWith([]);
    await assert.rejects(new DockerNetworkManager(engine, false, null).createNetwork("bailey-off", {}), /no free subnet left for network bailey-off.*default-address-pools.*BAILEY_RUN_SUBNETS/);
  });
});

function* take<T>(items: Iterable<T>, count: number): Generator<T> {
  if (count <= 0) return;
  for (const item of items) {
    yield item;
    if (--count <= 0) return;
  }
}
