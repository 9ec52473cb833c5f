import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppleRuntime } from "../src/drivers/apple/runtime";
import { DockerRuntime } from "../src/drivers/docker/runtime";
import { createPodmanRuntime } from "../src/drivers/podman";
import { UnsupportedFeatureError } from "../src/errors";
import { requireBuildManager, requireNetworkManager, requireSidecarManager, runtimeFeatures } from "../src/features";
import { MockRuntime } from "../src/testing";

// Which backend provides which manager. Changing a row is a product decision, not a refactor.
describe("feature managers per backend", () => {
  const table = [
    { runtime: new DockerRuntime({ socketPath: "/nonexistent.sock" }), features: { networks: true, sidecars: true, builds: true } },
    { runtime: createPodmanRuntime("/nonexistent.sock"), features: { networks: true, sidecars: true, builds: true } },
    { runtime: new AppleRuntime("/nonexistent/container"), features: { networks: false, sidecars: false, builds: false } },
    { runtime: new MockRuntime(), features: { networks: true, sidecars: true, builds: true } },
  ];
  for (const row of table) {
    it(`${row.runtime.type}: ${JSON.stringify(row.features)}`, () => {
      assert.deepEqual(runtimeFeatures(row.runtime), row.features);
    });
  }

  it("a caller needing a missing manager gets a typed error naming feature, runtime and alternative", () => {
    const apple = new AppleRuntime("/nonexistent/container");
    assert.throws(
      () => requireSidecarManager(apple),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedFeatureError);
        assert.equal(error.feature, "sidecars");
        assert.equal(error.runtime, "apple");
        assert.equal(error.message, "The apple runtime does not support sidecars: use Docker or Podman on this host, or `docker:host` instead of `docker:dind`.");
        return true;
      },
    );
    assert.throws(() => requireNetworkManager(apple), /The apple runtime does not support networks/);
    assert.throws(() => requireBuildManager(apple), /The apple runtime does not support builds/);
    assert.throws(() => requireNetworkManager(new MockRuntime({ features: { networks: false } })), /The mock runtime does not support networks/);
  });
});
