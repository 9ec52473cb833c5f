import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { RpcError, rpcErrorCodes, runSpec, type RpcPeer } from "@bailey/protocol";
import { MockRuntime } from "@bailey/runtime/testing";
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";
import { type AgentProcess, docker, removeByHost, startAgent } from "../src/testing";

const image = "bailey-test/busybox:latest";
const tmpfsRoot = "/dev/shm/bailey";

async function waitForState(peer: RpcPeer, runId: string, states: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await peer.request("run.inspect", { runId });
    if (states.includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function logsOf(peer: RpcPeer, runId: string): Promise<string> {
  let text = "";
  for await (const chunk of peer.openStream("run.logs", { runId }).chunks) text += chunk.data.toString();
  return text;
}

/** Every file under `dir`, as bytes, for a search of a value in clear. */
function everyFileUnder(dir: string): { file: string; bytes: Buffer }[] {
  const found: { file: string; bytes: Buffer }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) found.push({ file, bytes: readFileSync(file) });
  }
  return found;
}

describe("run secrets on the real Docker engine under gVisor: env and read-only files from a host tmpfs, gone afterwards", () => {
  const hostId = `secrets-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;

  before(async () => {
    agent = await startAgent({ hostId });
    peer = await agent.connect();
    if (!(await docker.info()).Runtimes?.runsc) throw new Error("The Docker engine has no runsc runtime: run infra/ci/setup-test-host.sh as root (it installs and registers runsc).");
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await removeByHost(hostId);
  });

  it("the main container has the env secret and /run/secrets/<name> read-only; no value reaches the state dir; the tmpfs dir goes at exit", async () => {
    const runId = `sec-${randomBytes(4).toString("hex")}`;
    const token = `env-value-${randomBytes(12).toString("hex")}`;
    const key = `file-value-${randomBytes(12).toString("hex")}\nsecond line`;
    const script =
      'echo "env=$API_TOKEN"; echo "file=$(cat /run/secrets/deploy-key)"; ls -l /run/secrets; if echo x > /run/secrets/deploy-key 2>/dev/null; then echo WRITABLE; else echo READONLY; fi; sleep 2';
    await peer.request("run.create", {
      runId,
      spec: { image, command: ["sh", "-c", script], sandbox: "gvisor", secrets: { API_TOKEN: "api-token" }, secretFiles: ["deploy-key"] },
      credentials: { secrets: { "api-token": token, "deploy-key": key } },
    });
    const secretFile = path.join(tmpfsRoot, runId, "main", "secrets", "deploy-key");
    assert.equal(readFileSync(secretFile, "utf8"), key, "written to the host tmpfs");
    assert.equal(statSync(path.join(tmpfsRoot, runId)).mode & 0o777, 0o700, "the run's directory is root-only on the host");
    assert.equal(statSync(secretFile).mode & 0o777, 0o444);
    const main = await docker.getContainer(`bailey-${runId}`).inspect();
    assert.equal(main.HostConfig.Runtime, "runsc");
    assert.deepEqual(
      main.Mounts.map((mount) => [mount.Source, mount.Destination, mount.RW]),
      [[path.join(tmpfsRoot, runId, "main", "secrets"), "/run/secrets", false]],
    );
    await peer.request("run.start", { runId });
    const finished = await waitForState(peer, runId, ["exited", "failed"]);
    assert.equal(finished.state, "exited", finished.error ?? "");
    const logs = await logsOf(peer, runId);
    assert.match(logs, new RegExp(`env=${token}`));
    assert.match(logs, new RegExp(`file=${key.split("\n")[0]}\nsecond line`));
    assert.match(logs, /-r--r--r--.* deploy-key/);
    assert.match(logs, /READONLY/);
    assert.ok(!existsSync(path.join(tmpfsRoot, runId)), "the run's tmpfs directory is removed when the container exits");

    // The run's own output is kept as it printed it (like the engine's log): this run chose to echo
    // its secrets, so its log file holds them. Everything the agent itself writes must not.
    for (let waited = 0; !(await peer.request("run.logs.read", { runId, offset: 0, length: 1 })).complete; waited += 100) {
      assert.ok(waited < 30_000, "the run's log file is complete within 30 s of its exit");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runLog = everyFileUnder(agent.stateDir).find((file) => file.file.includes(`run-logs/${runId}.log`));
    assert.ok(runLog?.bytes.includes(Buffer.from(`env=${token}`)), "the run's log file holds what the run printed");
    const files = everyFileUnder(agent.stateDir).filter((file) => !file.file.includes(`${path.sep}run-logs${path.sep}`));
    assert.ok(files.length >= 2, `the state dir has the run store and journal (${files.map((file) => file.file).join(", ")})`);
    const stateText = files.map((file) => file.bytes.toString("utf8")).join("\n");
    assert.ok(stateText.includes(runId) && stateText.includes("api-token") && stateText.includes("deploy-key"), "the store names the run and its secrets");
    for (const value of [token, key.split("\n")[0]!]) {
      for (const { file, bytes } of files) {
        assert.ok(!bytes.includes(Buffer.from(value)), `${file} holds a secret value`);
        assert.ok(!bytes.includes(Buffer.from(Buffer.from(value).toString("base64"))), `${file} holds a secret value in base64`);
      }
    }
    await peer.request("run.destroy", { runId });
  });

  it("refuses a spec naming a secret run.create carries no value for, before creating anything", async () => {
    const runId = `sec-missing-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      peer.request("run.create", { runId, spec: { image, command: ["true"], sandbox: "gvisor", secrets: { A: "present" }, secretFiles: ["absent"] }, credentials: { secrets: { present: "v" } } }),
      (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, rpcErrorCodes.invalidParams);
        assert.match(error.message, /names secrets it carries no value for: absent; send them in credentials\.secrets/);
        assert.ok(!error.message.includes('"v"'));
        return true;
      },
    );
    await assert.rejects(peer.request("run.inspect", { runId }), /not on this host/);
    assert.ok(!existsSync(path.join(tmpfsRoot, runId)));
    assert.deepEqual(await docker.listContainers({ all: true, filters: { name: [`bailey-${runId}`] } }), []);
  });

  it("destroy removes the tmpfs directory of a run that never started, and reconcile removes one of a run it does not own", async () => {
    const runId = `sec-destroy-${randomBytes(4).toString("hex")}`;
    await peer.request("run.create", { runId, spec: { image, command: ["true"], sandbox: "gvisor", secretFiles: ["k"] }, credentials: { secrets: { k: "destroy-me" } } });
    assert.ok(existsSync(path.join(tmpfsRoot, runId, "main", "secrets", "k")));
    const destroyed = await peer.request("run.destroy", { runId });
    assert.ok(destroyed.removed.includes(path.join(tmpfsRoot, runId)), destroyed.removed.join(", "));
    assert.ok(!existsSync(path.join(tmpfsRoot, runId)));

    // A leftover of a run this agent no longer knows (a crash between writing and recording).
    const orphan = `sec-orphan-${randomBytes(4).toString("hex")}`;
    await mkdir(path.join(tmpfsRoot, orphan, "main", "secrets"), { recursive: true });
    await writeFile(path.join(tmpfsRoot, orphan, "main", "secrets", "k"), "orphan-value");
    const kept = `sec-kept-${randomBytes(4).toString("hex")}`;
    await mkdir(path.join(tmpfsRoot, kept), { recursive: true });
    try {
      const dry = await peer.request("host.reconcile", { ownedRunIds: [kept], dryRun: true });
      assert.ok(dry.removed.some((resource) => resource.kind === "tmpfs" && resource.runId === orphan));
      assert.ok(existsSync(path.join(tmpfsRoot, orphan)), "a dry run removes nothing");
      const { removed } = await peer.request("host.reconcile", { ownedRunIds: [kept], removeOnly: [orphan] });
      assert.deepEqual(
        removed.filter((resource) => resource.runId === orphan),
        [{ kind: "tmpfs", id: path.join(tmpfsRoot, orphan), name: path.join(tmpfsRoot, orphan), runId: orphan }],
      );
      assert.ok(!existsSync(path.join(tmpfsRoot, orphan)));
      assert.ok(existsSync(path.join(tmpfsRoot, kept)), "an owned run's directory stays");
    } finally {
      await Promise.all([rm(path.join(tmpfsRoot, orphan), { recursive: true, force: true }), rm(path.join(tmpfsRoot, kept), { recursive: true, force: true })]);
    }
  });
});

describe("run secrets on a runtime without bind mounts", () => {
  it("secretFiles are refused naming the runtime, before anything is created; env secrets still work", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-secrets-apple-"));
    const journal = await Journal.open(dir);
    try {
      const runtime = new MockRuntime({});
      Object.defineProperty(runtime, "type", { value: "apple" });
      const runs = new RunManager({ runtime, journal, store: await RunStore.open(dir), hostId: "h", buildkitImage: "b", sidecarReadyTimeoutMs: 1000, tmpfsRoot: path.join(dir, "shm") });
      await assert.rejects(runs.create("r1", runSpec.parse({ image: "a", secretFiles: ["k"] }), undefined, { secrets: { k: "v" } }), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
        assert.match(error.message, /The apple runtime does not support bind mounts: a run's secretFiles need them: use `secrets`/);
        return true;
      });
      assert.deepEqual(
        runtime.calls.filter((call) => call.method !== "ping"),
        [],
      );
      await runs.create("r2", runSpec.parse({ image: "a", secrets: { TOKEN: "k" } }), undefined, { secrets: { k: "env-value" } });
      const create = runtime.calls.find((call) => call.method === "createContainer")?.args[0] as { env: Record<string, string>; readOnlyBinds?: unknown };
      assert.equal(create.env.TOKEN, "env-value");
      assert.equal(create.readOnlyBinds, undefined);
    } finally {
      await journal.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
