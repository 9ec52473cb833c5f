import assert from "node:assert/strict";
import { it } from "node:test";
import type Docker from "dockerode";
import { DockerNetworkManager } from "../src/drivers/docker/network-manager";

// As Docker 20.10 answers once its default pools (about 30 bridge networks) are used up.
const exhausted = Object.assign(new Error("(HTTP code 400) unexpected - could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"), {
  statusCode: 400,
  json: { message: "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network" },
});

it("an engine out of subnets for a run's network says how to give it more", async () => {
  const engine = { createNetwork: async () => Promise.reject(exhausted) } as unknown as Docker;
  await assert.rejects(
    new DockerNetworkManager(engine, false, null).createNetwork("bailey-r1", {}),
    /no free subnet left for network bailey-r1 \(every run gets its own\).*default-address-pools.*restart the engine/,
  );
});
