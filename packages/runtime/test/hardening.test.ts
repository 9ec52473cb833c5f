import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { DockerRuntime } from "../src/drivers/docker/runtime";
import { capabilityAllowlist } from "../src/hardening";
import type { ContainerSpec } from "../src/types";
import { dockerTestImage, requireDocker, requireRunsc } from "./support/engines";

// Linux capability numbers of the allowlist, to compare with CapEff in /proc/self/status.
const capabilityBits: Record<(typeof capabilityAllowlist)[number], number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  NET_BIND_SERVICE: 10,
};
const allowlistMask = capabilityAllowlist.reduce((mask, cap) => mask | (1n << BigInt(capabilityBits[cap])), 0n);

describe("hardening defaults on Docker", () => {
  let runtime: DockerRuntime;
  const labels = { "bailey.hardening-test": randomBytes(4).toString("hex") };
  const spec = (overrides: Partial<ContainerSpec>): ContainerSpec => ({
    name: `bailey-hardening-${labels["bailey.hardening-test"]}-${randomBytes(3).toString("hex")}`,
    image: dockerTestImage,
    labels,
    sandbox: "none",
    ...overrides,
  });
  const run = async (overrides: Partial<ContainerSpec>) => {
    const id = await runtime.createContainer(spec(overrides));
    await runtime.startContainer(id);
    await runtime.waitContainer(id);
    let stdout = "";
    for await (const chunk of await runtime.logs(id)) if (chunk.stream === "stdout") stdout += chunk.data.toString();
    return { id, stdout };
  };

  before(async () => {
    runtime = await requireDocker();
    await requireRunsc(runtime);
  });
  after(async () => {
    for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
  });

  for (const sandbox of ["none", "gvisor"] as const) {
    it(`${sandbox}: only the allowlisted capabilities, no new privileges, limits applied`, async () => {
      const { id, stdout } = await run({ sandbox, command: ["sh", "-c", "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status"], resources: { pids: 64, memoryBytes: 128 * 1024 ** 2, cpus: 0.5 } });
      const capEff = BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(stdout)?.[1] ?? "ffff"}`);
      assert.equal(capEff, allowlistMask, `CapEff ${capEff.toString(16)} is exactly the allowlist ${allowlistMask.toString(16)}`);
      if (sandbox === "none") assert.match(stdout, /NoNewPrivs:\s+1/); // gVisor's /proc does not report it; inspect below does

      const inspected = await runtime.engine.getContainer(id).inspect();
      const host = inspected.HostConfig as {
        CapDrop?: string[];
        CapAdd?: string[];
        SecurityOpt?: string[];
        PidsLimit?: number;
        Memory?: number;
        NanoCpus?: number;
        Privileged?: boolean;
        Binds?: string[] | null;
        Runtime?: string;
        LogConfig?: { Type: string; Config: Record<string, string> };
      };
      assert.deepEqual(host.CapDrop, ["ALL"]);
      assert.deepEqual([...(host.CapAdd ?? [])].sort(), [...capabilityAllowlist].sort());
      assert.ok(host.SecurityOpt?.includes("no-new-privileges:true"));
      assert.equal(host.PidsLimit, 64);
      assert.equal(host.Memory, 128 * 1024 ** 2);
      assert.equal(host.NanoCpus, 0.5e9);
      assert.equal(host.Privileged, false);
      assert.deepEqual(host.Binds ?? [], [], "no Docker socket unless asked for");
      assert.equal(host.Runtime, sandbox === "gvisor" ? "runsc" : "runc");
      assert.deepEqual(host.LogConfig, { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } }, "the log is capped by default (defaultLogLimits)");
    });
  }

  it("a fork loop stops at the pids limit", async () => {
    const id = await runtime.createContainer(spec({ command: ["sh", "-c", "n=0; while [ $n -lt 200 ]; do sleep 30 & n=$((n+1)); done; echo started=$n"], resources: { pids: 32 } }));
    await runtime.startContainer(id);
    const exitCode = await runtime.waitContainer(id);
    let output = "";
    for await (const chunk of await runtime.logs(id)) output += chunk.data.toString();
    assert.doesNotMatch(output, /started=200/, "200 processes must not fit under pids=32");
    assert.match(output, /can't fork/);
    assert.notEqual(exitCode, 0);
  });

  it("a sandboxed container really runs on gVisor's kernel", async () => {
    const { stdout } = await run({ sandbox: "gvisor", command: ["sh", "-c", "dmesg | head -1"] });
    assert.match(stdout, /Starting gVisor/);
    const unsandboxed = await run({ sandbox: "none", command: ["sh", "-c", "dmesg 2>&1 | head -1"] });
    assert.doesNotMatch(unsandboxed.stdout, /gVisor/);
  });

  it("only docker:host-style requests get the engine socket, only dind-style ones privilege", async () => {
    const id = await runtime.createContainer(spec({ sandbox: "none", command: ["sleep", "1"], mountEngineSocket: true, privileged: true }));
    const host = (await runtime.engine.getContainer(id).inspect()).HostConfig as { Binds?: string[]; Privileged?: boolean };
    assert.deepEqual(host.Binds, ["/var/run/docker.sock:/var/run/docker.sock"]);
    assert.equal(host.Privileged, true);
  });
});
