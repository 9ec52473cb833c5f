import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { protocolVersion, type RpcError, type RpcPeer, type RunResults } from "@bailey/protocol";
import { type AgentProcess, docker, type GitServer, gitIn, removeByHost, startAgent, startGitServer } from "../src/testing";

const gitImage = "bailey-test/git:latest";

async function requireGitImage(): Promise<void> {
  if (
    !(await docker
      .getImage(gitImage)
      .inspect()
      .catch(() => null))
  ) {
    throw new Error(`The test image ${gitImage} is missing: run infra/ci/setup-test-host.sh as root (it builds it from busybox-static and the host's git).`);
  }
  if (!(await docker.info()).Runtimes?.runsc) throw new Error("The Docker engine has no runsc runtime: run infra/ci/setup-test-host.sh as root (it installs and registers runsc).");
}

async function waitForState(peer: RpcPeer, runId: string, states: string[], timeoutMs = 90_000) {
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

async function eventsOf(peer: RpcPeer, runId: string) {
  return (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.filter((event) => event.runId === runId);
}

/** Creates, starts and waits for the run to end; answers its results (final by the time the run is). */
async function runToResults(peer: RpcPeer, runId: string, spec: Record<string, unknown>): Promise<RunResults> {
  await peer.request("run.create", { runId, spec: spec as never });
  await peer.request("run.start", { runId });
  const ended = await waitForState(peer, runId, ["exited", "failed", "timed_out"]);
  const results = await peer.request("run.results", { runId });
  assert.equal(results.state, "ready", `results are final when the run is reported ${ended.state}`);
  return results;
}

/** A result file's bytes, read through run.results.read in small chunks (so the offsets are exercised). */
async function readResult(peer: RpcPeer, runId: string, name: string, chunk = 1000): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const { data, eof } = await peer.request("run.results.read", { runId, name, offset, length: chunk });
    const bytes = Buffer.from(data, "base64");
    parts.push(bytes);
    offset += bytes.length;
    if (eof) return Buffer.concat(parts);
  }
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

// The run's agent: edits a tracked file and commits, then leaves an untracked file and an uncommitted edit.
const editAndCommit = [
  "set -e",
  "cd /workspace",
  'echo "uid=$(id -u) owner=$(stat -c %u /workspace) gitowner=$(stat -c %u /workspace/.git/config) pwd=$(pwd)"',
  "echo 'edited by the run' >> src/app.txt",
  "git -c user.name=Run -c user.email=run@bailey.invalid commit --quiet -am 'the run edits app.txt'",
  "mkdir -p notes && printf 'untracked\\n' > notes/new.txt",
  "printf '\\000\\001binary' > notes/blob.bin",
  "echo 'uncommitted' >> README.md",
].join("\n");

for (const sandbox of ["none", "gvisor"] as const) {
  describe(`workspaces on the real Docker engine (${sandbox === "none" ? "runc" : "gVisor"}): cloned with the host's git, owned by the run's user, results and push when it ends`, () => {
    const hostId = `ws-${sandbox}-${randomBytes(3).toString("hex")}`;
    let agent: AgentProcess;
    let peer: RpcPeer;
    let git: GitServer;
    let work: string;

    before(async () => {
      await requireGitImage();
      git = await startGitServer();
      agent = await startAgent({ hostId, allow: ["sandbox:none"] });
      peer = await agent.connect();
      work = await mkdtemp(path.join(tmpdir(), "bailey-ws-test-"));
    });
    after(async () => {
      peer?.close();
      await agent?.stop();
      await removeByHost(hostId);
      await git?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it("agent.hello says the host has workspaces (git on its PATH, Docker)", async () => {
      const socketPeer = await agent.connect();
      try {
        const hello = await socketPeer.request("agent.hello", { protocolVersion, client: "test" });
        assert.equal(hello.features.workspaces, true);
      } finally {
        socketPeer.close();
      }
    });

    it("a run that commits, edits and adds files returns a diff that git apply reproduces on a fresh clone, a bundle that fetches, and the pushed branch", async () => {
      const repo = `repo-${randomBytes(3).toString("hex")}`;
      const { commits } = await git.createRepository(repo);
      const base = commits.at(-1) as string;
      const runId = `ws-${randomBytes(4).toString("hex")}`;
      const branch = `bailey/${runId}`;
      const results = await runToResults(peer, runId, {
        image: gitImage,
        command: ["sh", "-c", editAndCommit],
        sandbox,
        workspace: { git: git.url(repo) },
        push: { branch },
        ...(sandbox === "gvisor" ? { user: "1000" } : {}),
      });
      const logs = await logsOf(peer, runId);
      assert.match(logs, /uid=1000 owner=1000 gitowner=1000 pwd=\/workspace/, `the run is uid 1000 and owns /workspace; its output: ${logs}`);
      assert.equal((await peer.request("run.inspect", { runId })).exitCode, 0, logs);

      assert.equal(results.baseCommit, base);
      assert.ok(results.headCommit && results.headCommit !== base, "HEAD moved: the run committed");
      assert.deepEqual(results.missing, []);
      assert.deepEqual(results.pushed, { branch, commit: results.headCommit });
      assert.deepEqual(results.files.map((file) => [file.name, file.kind]).sort(), [
        ["commits.bundle", "bundle"],
        ["diff.patch", "diff"],
      ]);

      // The diff reproduces the workspace on a fresh clone at the base (committed, uncommitted and untracked changes).
      const patch = await readResult(peer, runId, "diff.patch");
      const listed = results.files.find((file) => file.name === "diff.patch");
      assert.equal(sha256(patch), listed?.sha256);
      assert.equal(patch.length, listed?.sizeBytes);
      const fresh = path.join(work, `fresh-${runId}`);
      await gitIn(work, ["clone", "--quiet", git.url(repo), fresh]);
      await gitIn(fresh, ["checkout", "--quiet", base]);
      await writeFile(path.join(work, `${runId}.patch`), patch);
      await gitIn(fresh, ["apply", "--binary", path.join(work, `${runId}.patch`)]);
      assert.equal(await readFile(path.join(fresh, "src/app.txt"), "utf8"), "version 3\nsecond line\nedited by the run\n");
      assert.equal(await readFile(path.join(fresh, "README.md"), "utf8"), "# Test repository\nuncommitted\n");
      assert.equal(await readFile(path.join(fresh, "notes/new.txt"), "utf8"), "untracked\n");
      assert.deepEqual(await readFile(path.join(fresh, "notes/blob.bin")), Buffer.from("\x00\x01binary", "latin1"));

      // The bundle fetches onto a clone at the base and carries the run's commit.
      const bundle = await readResult(peer, runId, "commits.bundle", 64 * 1024);
      assert.equal(sha256(bundle), results.files.find((file) => file.name === "commits.bundle")?.sha256);
      await writeFile(path.join(work, `${runId}.bundle`), bundle);
      await gitIn(fresh, ["fetch", "--quiet", path.join(work, `${runId}.bundle`), "HEAD:refs/heads/from-bundle"]);
      assert.equal((await gitIn(fresh, ["rev-parse", "from-bundle"])).trim(), results.headCommit);
      assert.equal((await gitIn(fresh, ["log", "-1", "--format=%s", "from-bundle"])).trim(), "the run edits app.txt");

      // Pushed: the bare repository has the branch at the run's HEAD.
      assert.equal((await git.git(repo, ["rev-parse", `refs/heads/${branch}`])).trim(), results.headCommit);
      const types: string[] = (await eventsOf(peer, runId)).map((event) => event.type);
      for (const type of ["workspace.ready", "push.succeeded", "results.ready"]) assert.ok(types.includes(type), `journal has ${type}: ${types.join(", ")}`);
      assert.ok(types.indexOf("results.ready") < types.lastIndexOf("run.state"), "results.ready is journalled before the run is reported ended");

      // A name the manifest does not list is refused, path tricks included.
      for (const name of ["../results.json", "/etc/passwd", "artifacts/../../origin.json", "diff.patch/"]) {
        await assert.rejects(peer.request("run.results.read", { runId, name, offset: 0, length: 10 }), (error: RpcError) => /has no result named/.test(error.message));
      }

      const workspaceDir = path.join(agent.stateDir, "workspaces", runId);
      assert.ok(existsSync(workspaceDir));
      const destroyed = await peer.request("run.destroy", { runId });
      assert.ok(destroyed.removed.includes(workspaceDir), `destroy reports the workspace: ${destroyed.removed.join(", ")}`);
      assert.equal(existsSync(workspaceDir), false, "destroy removes the workspace and its results");
    });

    it("a malicious .git/config written by the run (core.fsmonitor, hooks, a symlinked info/) runs nothing on the host", async () => {
      const repo = `evil-${randomBytes(3).toString("hex")}`;
      await git.createRepository(repo);
      const marker = `/tmp/pwned-${randomBytes(6).toString("hex")}`;
      const runId = `ws-${randomBytes(4).toString("hex")}`;
      const script = [
        "set -e",
        "cd /workspace",
        `git config core.fsmonitor "touch ${marker}-fsmonitor"`,
        `git config core.hooksPath /workspace/.git/evil-hooks`,
        `git config diff.external "touch ${marker}-external"`,
        "mkdir -p .git/evil-hooks",
        `printf '#!/bin/sh\\ntouch ${marker}-hook\\n' > .git/hooks/pre-push`,
        "chmod +x .git/hooks/pre-push",
        `printf '* diff=evil\\n' > .gitattributes`,
        `git config diff.evil.textconv "touch ${marker}-textconv"`,
        "rm -rf .git/info && ln -s /etc .git/info",
        "echo change >> src/app.txt",
      ].join("\n");
      const results = await runToResults(peer, runId, { image: gitImage, command: ["sh", "-c", script], sandbox, workspace: { git: git.url(repo) } });
      for (const suffix of ["fsmonitor", "external", "hook", "textconv"]) assert.equal(existsSync(`${marker}-${suffix}`), false, `${marker}-${suffix} was not created on the host`);
      assert.ok(existsSync("/etc/passwd"), "the symlinked .git/info did not lead to removals in /etc");
      const patch = (await readResult(peer, runId, "diff.patch")).toString("utf8");
      assert.match(patch, /\+change/, "the diff is still collected, with the trusted config");
      assert.deepEqual(
        results.missing.map((entry) => entry.name),
        [],
      );
      await peer.request("run.destroy", { runId });
    });

    it("a remote that does not exist fails run.create, saying which and why, and leaves no workspace or container", async () => {
      const runId = `ws-${randomBytes(4).toString("hex")}`;
      const url = git.url(`missing-${randomBytes(3).toString("hex")}`);
      await assert.rejects(peer.request("run.create", { runId, spec: { image: gitImage, command: ["true"], sandbox, workspace: { git: url } } as never }), (error: RpcError) => {
        assert.ok(error.message.includes(url), `the message names the remote: ${error.message}`);
        assert.match(error.message, /not exported|does not appear to be a git repository|Could not read/i);
        assert.deepEqual(error.data, { runId, during: "workspace" });
        return true;
      });
      assert.equal(existsSync(path.join(agent.stateDir, "workspaces", runId)), false, "no workspace directory is left");
      assert.equal((await docker.listContainers({ all: true, filters: { label: [`bailey.run-id=${runId}`] } })).length, 0, "no container is left");
      const events = await eventsOf(peer, runId);
      assert.ok(events.some((event) => event.type === "workspace.failed"));
      assert.equal((await peer.request("run.inspect", { runId })).state, "failed");
      const results = await peer.request("run.results", { runId });
      assert.equal(results.state, "ready", "a run that failed before it ran has final results: none, and why");
      assert.match(results.missing[0]?.reason ?? "", /ended before its container ran \(.*Cloning/);
      await peer.request("run.destroy", { runId });
    });
  });
}

describe("artifacts on the real Docker engine under gVisor: regular files only, symlinks never followed, caps say what was left out", () => {
  const hostId = `art-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;

  before(async () => {
    await requireGitImage();
    agent = await startAgent({ hostId });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await removeByHost(hostId);
  });

  it("collects matching files of an empty workspace, leaves out links (to /etc/shadow) and what is over the caps, and lists each in missing", async () => {
    const runId = `art-${randomBytes(4).toString("hex")}`;
    const script = [
      "set -e",
      "cd /workspace",
      "mkdir -p out/deep zmany",
      "echo report > out/report.txt",
      "echo nested > out/deep/nested.log",
      "ln -s /etc/shadow out/shadow",
      "ln -s /etc out/etc",
      "ln -s /etc/shadow link.txt",
      // Sparse: over the 1 GiB per-file cap without writing a gigabyte.
      "truncate -s 1100M out/big.bin",
      // Walked after out/ (names in order): 998 of them fit under the 1000-file cap.
      "i=0; while [ $i -lt 1000 ]; do : > zmany/f$i; i=$((i+1)); done",
    ].join("\n");
    const results = await runToResults(peer, runId, {
      image: gitImage,
      command: ["sh", "-c", script],
      sandbox: "gvisor",
      workspace: {},
      artifacts: ["out/**", "link.txt", "zmany/*", "nothing/*.zip"],
    });
    const names = results.files.map((file) => file.name);
    assert.ok(names.includes("artifacts/out/report.txt") && names.includes("artifacts/out/deep/nested.log"), names.slice(0, 5).join(", "));
    assert.equal(results.files.length, 1000, "the file cap: 1000 artifact files at most");
    assert.equal(results.baseCommit, null);
    const reasonOf = (name: string) => results.missing.find((entry) => entry.name === name)?.reason ?? "";
    assert.match(reasonOf("artifacts/out/shadow"), /symbolic link/);
    assert.match(reasonOf("artifacts/link.txt"), /symbolic link/);
    assert.match(reasonOf("artifacts/out/big.bin"), /over the cap of 1073741824 bytes per artifact file; narrow spec.artifacts' "out\/\*\*"/);
    assert.match(reasonOf("nothing/*.zip"), /no file in the workspace matches/);
    assert.ok(
      results.missing.some((entry) => entry.name.startsWith("artifacts/zmany/") && /at most 1000 artifact files/.test(entry.reason)),
      "files past the count cap are listed",
    );
    assert.equal(results.missing.filter((entry) => /at most 1000 artifact files/.test(entry.reason)).length, 2, "exactly the two files past the cap are left out");
    assert.ok(!names.some((name) => name.startsWith("artifacts/out/etc/")), "the symlinked directory is not walked");
    const report = await readResult(peer, runId, "artifacts/out/report.txt");
    assert.equal(report.toString(), "report\n");
    assert.equal(sha256(report), results.files.find((file) => file.name === "artifacts/out/report.txt")?.sha256);
    const shadow = readFileSync("/etc/shadow");
    const resultsDir = path.join(agent.stateDir, "workspaces", runId, "results");
    assert.equal(existsSync(path.join(resultsDir, "artifacts", "out", "shadow")), false);
    assert.equal(existsSync(path.join(resultsDir, "artifacts", "link.txt")), false);
    assert.notDeepEqual(report, shadow);
    await peer.request("run.destroy", { runId });
  });

  it("a run without a workspace answers run.results none; artifacts without a workspace are refused", async () => {
    const runId = `art-${randomBytes(4).toString("hex")}`;
    await peer.request("run.create", { runId, spec: { image: gitImage, command: ["true"], sandbox: "gvisor" } as never });
    assert.equal((await peer.request("run.results", { runId })).state, "none");
    await peer.request("run.destroy", { runId });
    await assert.rejects(
      peer.request("run.create", { runId: `${runId}-x`, spec: { image: gitImage, command: ["true"], sandbox: "gvisor", artifacts: ["*.txt"] } as never }),
      /artifacts or push without a workspace/,
    );
  });
});

describe("workspaces on a real Podman service (runc): the same clone, user and results", () => {
  const hostId = `wsp-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let git: GitServer;
  let runtimeDir: string;
  let stopService = async () => {};

  before(async () => {
    await requireGitImage();
    if (spawnSync("podman", ["image", "exists", gitImage]).status !== 0) {
      const load = spawnSync("sh", ["-c", `docker save ${gitImage} | podman load`], { encoding: "utf8" });
      if (load.status !== 0) throw new Error(`Could not copy ${gitImage} into Podman (apt-get install -y podman): ${load.stderr}`);
    }
    git = await startGitServer();
    // The rootless probe's path ($XDG_RUNTIME_DIR/podman/podman.sock), so the agent finds this service by detection.
    runtimeDir = await mkdtemp(path.join(tmpdir(), "bailey-wsp-xdg-"));
    await mkdir(path.join(runtimeDir, "podman"));
    const socketPath = path.join(runtimeDir, "podman/podman.sock");
    const service = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], { stdio: "ignore" });
    stopService = async () => {
      const exited = new Promise((resolve) => service.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
    };
    for (let i = 0; i < 100 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!existsSync(socketPath)) throw new Error("podman system service did not create its socket within 10 s: install Podman (apt-get install -y podman).");
    agent = await startAgent({ hostId, allow: ["sandbox:none"], env: { BAILEY_RUNTIME: "podman", XDG_RUNTIME_DIR: runtimeDir } });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await stopService();
    await git?.stop();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  it("a run as the default workspace user commits; its diff and bundle come back and the branch is pushed", async () => {
    const repo = `podman-${randomBytes(3).toString("hex")}`;
    const { commits } = await git.createRepository(repo);
    const runId = `wsp-${randomBytes(4).toString("hex")}`;
    const branch = `bailey/${runId}`;
    const results = await runToResults(peer, runId, { image: gitImage, command: ["sh", "-c", editAndCommit], sandbox: "none", workspace: { git: git.url(repo), depth: 1 }, push: { branch } });
    const logs = await logsOf(peer, runId);
    assert.match(logs, /uid=1000 owner=1000 gitowner=1000 pwd=\/workspace/, `the run is uid 1000 and owns /workspace; its output: ${logs}\nagent: ${agent.output().slice(-2000)}`);
    assert.equal(results.baseCommit, commits.at(-1));
    assert.deepEqual(results.missing, []);
    assert.deepEqual(results.pushed, { branch, commit: results.headCommit });
    assert.match((await readResult(peer, runId, "diff.patch")).toString("utf8"), /\+edited by the run/);
    assert.equal((await git.git(repo, ["rev-parse", `refs/heads/${branch}`])).trim(), results.headCommit);
    await peer.request("run.destroy", { runId });
  });
});
