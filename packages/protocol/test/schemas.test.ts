import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeIssues, isRpcError, RpcError, rpcErrorCodes, toRpcError } from "../src/errors";
import { classify } from "../src/jsonrpc";
import { methodNames, methods } from "../src/method-map";
import { agentEvent, eventData } from "../src/methods/events";
import { runSpec } from "../src/methods/run";
import { assertCompatibleVersion, checkHelloVersion, minProtocolVersion, protocolVersion } from "../src/version";

describe("method schemas", () => {
  it("names every method of the contract", () => {
    assert.deepEqual([...methodNames].sort(), [
      "agent.hello",
      "build.context.put",
      "events.ack",
      "events.pull",
      "exec.close",
      "exec.input",
      "exec.open",
      "exec.resize",
      "host.reconcile",
      "image.list",
      "image.pull",
      "pool.configure",
      "pool.status",
      "run.create",
      "run.destroy",
      "run.exec",
      "run.inspect",
      "run.logs",
      "run.logs.read",
      "run.logs.stream",
      "run.results",
      "run.results.read",
      "run.start",
      "run.stop",
    ]);
    for (const name of methodNames) assert.ok(methods[name].params && methods[name].result, name);
  });

  it("exec.open takes a command or an attach, never both, and fills a session's defaults", () => {
    const open = methods["exec.open"].params;
    const base = { sessionId: "0f1e2d3c-aaaa", runId: "r1" };
    assert.deepEqual(open.parse({ ...base, command: ["sh"] }), { ...base, command: ["sh"], attach: false, tty: false, stdin: false, env: {} });
    assert.ok(open.safeParse({ ...base, attach: true }).success);
    assert.ok(!open.safeParse(base).success, "neither a command nor attach");
    assert.ok(!open.safeParse({ ...base, attach: true, command: ["sh"] }).success, "both");
    assert.ok(!open.safeParse({ ...base, command: [] }).success, "an empty command");
    assert.ok(!open.safeParse({ ...base, command: ["sh\0"] }).success, "a NUL byte");
    assert.ok(!open.safeParse({ ...base, command: ["sh"], cols: 0 }).success && !open.safeParse({ ...base, command: ["sh"], rows: 1001 }).success);
    assert.ok(!open.safeParse({ ...base, command: ["sh"], workdir: "tmp" }).success, "a relative workdir");
    assert.ok(!open.safeParse({ ...base, command: ["sh"], env: { "A=B": "x" } }).success);
    assert.ok(!open.safeParse({ ...base, command: ["sh"], resumeFromOffset: -1 }).success);
    assert.ok(!open.safeParse({ ...base, command: ["sh"], user: "root" }).success, "strict: an unknown param is refused");
    for (const sessionId of ["short", "x".repeat(65), "has space!", "a/b-c-d-e"]) assert.ok(!open.safeParse({ ...base, sessionId, command: ["sh"] }).success, sessionId);
  });

  it("exec.input, exec.resize and exec.close name a session and nothing else", () => {
    const sessionId = "0f1e2d3c-aaaa";
    const input = methods["exec.input"].params;
    assert.deepEqual(input.parse({ sessionId, data: "aGk=" }), { sessionId, data: "aGk=", eof: false });
    assert.ok(input.safeParse({ sessionId, data: "", eof: true }).success, "an eof without bytes");
    assert.ok(!input.safeParse({ sessionId, data: "not base64!" }).success);
    assert.ok(!input.safeParse({ sessionId, data: "A".repeat(1_400_004) }).success, "more than 1 MiB");
    assert.ok(!input.safeParse({ sessionId, data: "", extra: 1 }).success);
    assert.deepEqual(methods["exec.input"].result.parse({ written: 2 }), { written: 2 });
    const resize = methods["exec.resize"].params;
    assert.ok(resize.safeParse({ sessionId, cols: 120, rows: 40 }).success);
    assert.ok(!resize.safeParse({ sessionId, cols: 120 }).success && !resize.safeParse({ sessionId, cols: 1.5, rows: 40 }).success);
    assert.ok(methods["exec.close"].params.safeParse({ sessionId }).success);
    assert.ok(!methods["exec.close"].params.safeParse({}).success);
    const end = methods["exec.open"].result;
    assert.ok(end.safeParse({ sessionId, exitCode: null, reason: "closed", outputBytes: 0 }).success, "an attach closed by its caller has no exit code");
    assert.ok(!end.safeParse({ sessionId, exitCode: 0, reason: "killed", outputBytes: 0 }).success);
  });

  it("fills a run spec's defaults and explains a bare docker dependency", () => {
    const spec = runSpec.parse({ image: "busybox", command: ["true"] });
    assert.deepEqual({ sandbox: spec.sandbox, dependencies: spec.dependencies, env: spec.env }, { sandbox: "gvisor", dependencies: [], env: {} });
    const bad = runSpec.safeParse({ image: "busybox", dependencies: ["docker"], resources: { cpus: 1000 } });
    assert.ok(!bad.success);
    const lines = describeIssues(bad.error.issues);
    assert.ok(
      lines.some((line) => /^dependencies\[0\]: a bare "docker" dependency is ambiguous: use "docker:host"/.test(line)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((line) => line.startsWith("resources.cpus: ")),
      lines.join("\n"),
    );
  });

  it("says why an env name or image is refused", () => {
    const bad = runSpec.safeParse({ image: "busybox; touch /tmp/x", env: { "A=B": "x" } });
    assert.ok(!bad.success);
    assert.deepEqual(describeIssues(bad.error.issues).sort(), [
      "env.A=B: must be a valid environment variable name",
      "image: must be an image reference such as busybox, ghcr.io/org/app:1.2 or app@sha256:<digest>",
    ]);
  });

  it("agent.hello carries the agent's identity, and an agent from before identities still validates", () => {
    const hello = {
      protocolVersion,
      agentVersion: "0.1.0",
      hostId: "h",
      runtime: "docker",
      features: { networks: true, sidecars: true, builds: true, runsc: true },
      cpus: 2,
      memoryBytes: 1024,
      runningRuns: [],
    };
    const result = methods["agent.hello"].result;
    assert.equal(result.parse({ ...hello, agentId: `agt_${"0a".repeat(16)}` }).agentId, `agt_${"0a".repeat(16)}`);
    assert.equal(result.parse(hello).agentId, undefined, "no identity: unknown, not an error");
    for (const agentId of ["agt_", `agt_${"A".repeat(32)}`, `agt_${"0".repeat(33)}`, "", `host_${"0".repeat(32)}`]) {
      assert.ok(!result.safeParse({ ...hello, agentId }).success, agentId);
    }
  });

  it("host.reconcile takes a dry run and a removal scope, and nothing unknown", () => {
    const params = methods["host.reconcile"].params;
    assert.ok(params.safeParse({ ownedRunIds: ["a"], dryRun: true }).success);
    assert.ok(params.safeParse({ ownedRunIds: [], removeOnly: ["b"] }).success);
    assert.ok(!params.safeParse({ ownedRunIds: [], keep: ["b"] }).success, "strict: an unknown param is refused, so an old agent never ignores a scope");
  });

  it("keeps seq within exact integers", () => {
    const event = { seq: 1, at: new Date().toISOString(), type: "container.exited", runId: "r1", data: { exitCode: 3 } };
    assert.ok(agentEvent.safeParse(event).success);
    assert.ok(!agentEvent.safeParse({ ...event, seq: 2 ** 53 }).success, "beyond 2^53 - 1 is refused, not rounded");
    assert.ok(!methods["events.pull"].params.safeParse({ afterSeq: 1.5 }).success);
    assert.equal(methods["events.pull"].params.parse({ afterSeq: 0 }).limit, 500);
  });

  it("reads event data by type", () => {
    const event = agentEvent.parse({ seq: 7, at: "2025-01-01T00:00:00Z", type: "container.exited", runId: "r1", data: { exitCode: 3, extra: true } });
    assert.equal(eventData(event, "container.exited")?.exitCode, 3);
    assert.equal(eventData(event, "run.state"), null);
    assert.equal(eventData({ ...event, data: { exitCode: "three" } }, "container.exited"), null);
    assert.ok(!agentEvent.safeParse({ ...event, type: "made.up" }).success);
  });
});

describe("errors and versions", () => {
  it("round-trips an RpcError through JSON and tolerates malformed ones", () => {
    const error = RpcError.fromJSON(JSON.parse(JSON.stringify(new RpcError(rpcErrorCodes.conflict, "taken", { runId: "r" }))));
    assert.ok(isRpcError(error, rpcErrorCodes.conflict));
    assert.deepEqual(error.data, { runId: "r" });
    assert.equal(RpcError.fromJSON("nonsense").code, rpcErrorCodes.internalError);
  });

  it("turns a thrown non-RpcError into -32603 without its stack, capped", () => {
    const error = toRpcError(new Error("x".repeat(10_000)), "run.exec");
    assert.equal(error.code, -32603);
    assert.ok(error.message.startsWith("run.exec failed: xxx") && error.message.length < 2_100);
    assert.ok(!/at .*\.ts:\d+/.test(toRpcError(new Error("plain"), "m").message));
  });

  it("says which side to upgrade", () => {
    assert.equal(checkHelloVersion(protocolVersion, "agent"), null);
    assert.equal(checkHelloVersion(minProtocolVersion, "agent"), null, "an older version still spoken is fine");
    assert.match(checkHelloVersion(minProtocolVersion - 1, "agent")?.message ?? "", /Upgrade the agent/);
    assert.match(checkHelloVersion(protocolVersion, "agent", minProtocolVersion)?.message ?? "", /Upgrade the control plane/, "a side held back to the oldest version refuses the newest");
    assert.match(checkHelloVersion(protocolVersion + 1, "agent")?.message ?? "", /Upgrade the control plane/);
    assert.match(checkHelloVersion(protocolVersion + 1, "control plane")?.message ?? "", /Upgrade the agent/);
    assert.throws(
      () => assertCompatibleVersion(99, "control plane"),
      (error: RpcError) => error.code === rpcErrorCodes.incompatibleVersion,
    );
  });
});

describe("jsonrpc.classify", () => {
  it("sorts messages and names what is wrong with invalid ones", () => {
    assert.equal(classify({ jsonrpc: "2.0", id: 1, method: "m", params: {} }).kind, "request");
    assert.equal(classify({ jsonrpc: "2.0", method: "m" }).kind, "notification");
    assert.equal(classify({ jsonrpc: "2.0", id: 1, result: null }).kind, "response");
    assert.equal(classify({ jsonrpc: "2.0", id: 1, error: { code: -32601, message: "x" } }).kind, "error-response");
    for (const bad of [
      [],
      "x",
      null,
      { id: 1, method: "m" },
      { jsonrpc: "2.0", id: {}, method: "m" },
      { jsonrpc: "2.0", id: 1, method: 5 },
      { jsonrpc: "2.0", id: 1, method: "m", params: 3 },
      { jsonrpc: "2.0", id: 1 },
    ]) {
      const result = classify(bad);
      assert.equal(result.kind, "invalid", JSON.stringify(bad));
      assert.ok(result.kind === "invalid" && result.error.code === -32600);
    }
  });
});
