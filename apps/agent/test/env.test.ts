import assert from "node:assert/strict";
import { it } from "node:test";
import { logLimitsOf, readAgentEnv } from "../src/env";

it("container logs are capped at 3 × 10m unless the host sets BAILEY_LOG_MAX_SIZE and BAILEY_LOG_MAX_FILES", () => {
  assert.deepEqual(logLimitsOf(readAgentEnv({})), { maxSize: "10m", maxFiles: 3 });
  assert.deepEqual(logLimitsOf(readAgentEnv({ BAILEY_LOG_MAX_SIZE: "512k", BAILEY_LOG_MAX_FILES: "5" })), { maxSize: "512k", maxFiles: 5 });
  assert.deepEqual(logLimitsOf(readAgentEnv({ BAILEY_LOG_MAX_SIZE: "", BAILEY_LOG_MAX_FILES: "" })), { maxSize: "10m", maxFiles: 3 }, "empty is unset");
});

it("a log size or file count the engine would refuse is named with an example", () => {
  for (const size of ["10", "ten", "10mb", "0m", "-1k", "1.5m"]) {
    assert.throws(() => readAgentEnv({ BAILEY_LOG_MAX_SIZE: size }), /BAILEY_LOG_MAX_SIZE must be a size of at least 1k.*Example: BAILEY_LOG_MAX_SIZE=10m/, size);
  }
  for (const files of ["0", "2.5", "three", "101"]) {
    assert.throws(() => readAgentEnv({ BAILEY_LOG_MAX_FILES: files }), /BAILEY_LOG_MAX_FILES must be .*Example: BAILEY_LOG_MAX_FILES=3/, files);
  }
});

it("an image pull may take 900 s unless BAILEY_PULL_TIMEOUT says otherwise, within 1..3600", () => {
  assert.equal(readAgentEnv({}).BAILEY_PULL_TIMEOUT, 900);
  assert.equal(readAgentEnv({ BAILEY_PULL_TIMEOUT: "120" }).BAILEY_PULL_TIMEOUT, 120);
  for (const value of ["0", "soon", "3601"]) assert.throws(() => readAgentEnv({ BAILEY_PULL_TIMEOUT: value }), /BAILEY_PULL_TIMEOUT must be .*Example: BAILEY_PULL_TIMEOUT=900/, value);
});

it("run networks fall back to 10.213.0.0/16 in /28s; BAILEY_RUN_SUBNETS moves or turns that off, and a bad range is named with an example", () => {
  assert.deepEqual(readAgentEnv({}).BAILEY_RUN_SUBNETS, { base: { address: 0x0ad50000, prefix: 16 }, prefix: 28 });
  assert.deepEqual(readAgentEnv({ BAILEY_RUN_SUBNETS: "172.30.0.0/20" }).BAILEY_RUN_SUBNETS, { base: { address: 0xac1e0000, prefix: 20 }, prefix: 28 });
  assert.equal(readAgentEnv({ BAILEY_RUN_SUBNETS: "off" }).BAILEY_RUN_SUBNETS, null);
  for (const value of ["10.213.0.0", "10.213.0.1/16", "300.1.0.0/16", "10.213.0.0/26", "fd00::/64"]) {
    assert.throws(() => readAgentEnv({ BAILEY_RUN_SUBNETS: value }), /BAILEY_RUN_SUBNETS: .*Example: BAILEY_RUN_SUBNETS=10\.213\.0\.0\/16/, value);
  }
});

it("two run networks are kept made ahead unless BAILEY_SPARE_NETWORKS says otherwise (0 for none, at most 16)", () => {
  assert.equal(readAgentEnv({}).BAILEY_SPARE_NETWORKS, 2);
  assert.equal(readAgentEnv({ BAILEY_SPARE_NETWORKS: "0" }).BAILEY_SPARE_NETWORKS, 0);
  for (const value of ["-1", "1.5", "some", "17"]) assert.throws(() => readAgentEnv({ BAILEY_SPARE_NETWORKS: value }), /BAILEY_SPARE_NETWORKS must be .*Example: BAILEY_SPARE_NETWORKS=2/, value);
});
