import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type RpcError, type RpcPeer, type RunCredentials, runSpec } from "@bailey/protocol";
import { type AgentProcess, docker, type GitServer, removeByHost, startAgent, startGitServer } from "../src/testing";
import { ArtifactGlob } from "../src/workspaces/artifact-glob";
import { collectArtifacts } from "../src/workspaces/collect-artifacts";
import { gitAccessFor } from "../src/workspaces/git-access";

describe("artifact globs", () => {
  const matches = (glob: string, file: string) => new ArtifactGlob(glob).matches(file.split("/"));
  it("* and ? stay within a segment, ** spans any number of them (none included)", () => {
    assert.ok(matches("report.json", "report.json"));
    assert.ok(!matches("report.json", "sub/report.json"));
    assert.ok(matches("*.log", "build.log") && !matches("*.log", "logs/build.log"));
    assert.ok(matches("**/*.log", "build.log") && matches("**/*.log", "a/b/c/build.log"));
    assert.ok(matches("dist/**", "dist/a.js") && matches("dist/**", "dist/x/y/z.js") && !matches("dist/**", "distx/a.js"));
    assert.ok(matches("a/?.txt", "a/1.txt") && !matches("a/?.txt", "a/12.txt"));
    assert.ok(matches("src/**/test/*.ts", "src/test/a.ts") && matches("src/**/test/*.ts", "src/x/y/test/a.ts"));
    assert.ok(matches("a.b+c(d)", "a.b+c(d)") && !matches("a.b", "axb"), "regex characters are literal");
    assert.ok(matches(".env*", ".env.local"), "dotfiles match");
  });
  it("walks only directories a glob could match below", () => {
    assert.ok(new ArtifactGlob("dist/**").mayMatchBelow(["dist", "x"]));
    assert.ok(!new ArtifactGlob("dist/**").mayMatchBelow(["node_modules"]));
    assert.ok(!new ArtifactGlob("report.json").mayMatchBelow(["any"]));
    assert.ok(new ArtifactGlob("**/*.log").mayMatchBelow(["node_modules", "deep"]));
  });
});

describe("collectArtifacts on real files: caps and links", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-artifacts-"));
    await mkdir(path.join(dir, "ws", "out", "sub"), { recursive: true });
    await writeFile(path.join(dir, "ws", "out", "a.txt"), "a".repeat(100));
    await writeFile(path.join(dir, "ws", "out", "b.txt"), "b".repeat(100));
    await writeFile(path.join(dir, "ws", "out", "sub", "c.txt"), "c".repeat(300));
    await writeFile(path.join(dir, "ws", "out", "empty.txt"), "");
    await symlink("/etc/passwd", path.join(dir, "ws", "out", "passwd"));
    await symlink("/etc", path.join(dir, "ws", "out", "etc"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("copies regular files with their SHA-256; a per-file and a total cap leave files out and say how to narrow the glob", async () => {
    const destDir = path.join(dir, "dest-caps");
    const { files, missing } = await collectArtifacts({ workspace: path.join(dir, "ws"), globs: ["out/**"], destDir, caps: { maxFiles: 10, maxFileBytes: 200, maxTotalBytes: 150 } });
    assert.deepEqual(
      files.map((file) => [file.name, file.sizeBytes]),
      [
        ["artifacts/out/a.txt", 100],
        ["artifacts/out/empty.txt", 0],
      ],
    );
    assert.equal(files[0]?.sha256, createHash("sha256").update("a".repeat(100)).digest("hex"));
    assert.equal(readFileSync(path.join(destDir, "out", "a.txt"), "utf8"), "a".repeat(100));
    const reason = (name: string) => missing.find((entry) => entry.name === name)?.reason ?? "";
    assert.match(reason("artifacts/out/b.txt"), /over the cap of 150 bytes in all; narrow spec.artifacts' "out\/\*\*"/);
    assert.match(reason("artifacts/out/sub/c.txt"), /300 bytes is over the cap of 200 bytes per artifact file/);
    assert.match(reason("artifacts/out/passwd"), /symbolic link/);
    assert.match(reason("artifacts/out/etc"), /symbolic link/);
    assert.equal(existsSync(path.join(destDir, "out", "passwd")), false);
    assert.equal(existsSync(path.join(destDir, "out", "etc")), false);
  });

  it("past the file count cap, the rest are listed as left out", async () => {
    const { files, missing } = await collectArtifacts({
      workspace: path.join(dir, "ws"),
      globs: ["out/*.txt"],
      destDir: path.join(dir, "dest-count"),
      caps: { maxFiles: 2, maxFileBytes: 1e9, maxTotalBytes: 1e9 },
    });
    assert.equal(files.length, 2);
    assert.deepEqual(
      missing.map((entry) => entry.name),
      ["artifacts/out/empty.txt"],
    );
    assert.match(missing[0]?.reason ?? "", /at most 2 artifact files/);
  });

  it("names at most 100 left-out files and counts the rest in one entry", async () => {
    const many = path.join(dir, "many");
    await mkdir(path.join(many, "links"), { recursive: true });
    for (let index = 0; index < 150; index++) await symlink("/etc/passwd", path.join(many, "links", `l${index}`));
    const { files, missing } = await collectArtifacts({ workspace: many, globs: ["links/*"], destDir: path.join(dir, "dest-many") });
    assert.equal(files.length, 0);
    assert.equal(missing.length, 101);
    assert.deepEqual(missing.at(-1), { name: "artifacts", reason: "50 more matching files were left out as well (links, past a cap, or unreadable); only the first 100 are named" });
  });
});

describe("a workspace's git credentials", () => {
  const spec = (workspace: object, extra: object = {}) => runSpec.parse({ image: "x", workspace, ...extra });
  const grant = { name: "github", hosts: ["github.com"], inject: { kind: "bearer" as const }, value: "ghp_secret-value" };

  it("a grant becomes an http.extraHeader for the remote's origin only, in the environment (never argv or the URL), without redirects", () => {
    const access = gitAccessFor("r1", spec({ git: "https://github.com/org/repo.git", grant: "github" }), { secrets: {}, grants: [grant] });
    assert.deepEqual(access?.configEnv, {
      GIT_CONFIG_COUNT: "2",
      GIT_CONFIG_KEY_0: "http.https://github.com/.extraHeader",
      GIT_CONFIG_VALUE_0: "Authorization: Bearer ghp_secret-value",
      GIT_CONFIG_KEY_1: "http.followRedirects",
      GIT_CONFIG_VALUE_1: "false",
    });
    assert.ok(access?.redact.includes("ghp_secret-value"));
    const basic = gitAccessFor("r1", spec({ git: "https://github.com/org/repo.git", grant: "github" }), { secrets: {}, grants: [{ ...grant, inject: { kind: "basic", username: "x-access-token" } }] });
    assert.equal(basic?.configEnv.GIT_CONFIG_VALUE_0, `Authorization: Basic ${Buffer.from("x-access-token:ghp_secret-value").toString("base64")}`);
  });

  it("refuses, before anything exists, credentials that are missing or cannot apply, never echoing a value", () => {
    const refused = (workspace: object, credentials: Partial<RunCredentials>, pattern: RegExp) =>
      assert.throws(
        () => gitAccessFor("r1", spec(workspace), { secrets: {}, ...credentials }),
        (error: RpcError) => pattern.test(error.message) && !error.message.includes("ghp_secret-value"),
      );
    refused({ git: "https://github.com/o/r.git", grant: "github" }, {}, /carries no credentials for it/);
    refused({ git: "https://gitlab.com/o/r.git", grant: "github" }, { grants: [grant] }, /covers github.com, not gitlab.com/);
    refused({ git: "http://github.com/o/r.git", grant: "github" }, { grants: [grant] }, /only sent over https/);
    refused({ git: "https://github.com/o/r.git", grant: "github" }, { grants: [{ ...grant, inject: { kind: "query", param: "t" } }] }, /query parameter/);
    refused({ git: "git@github.com:o/r.git", sshKeySecret: "deploy_key" }, { secrets: {} }, /carries no value for it/);
    refused({ git: "https://github.com/o/r.git", sshKeySecret: "deploy_key" }, { secrets: { deploy_key: "k" } }, /not an ssh/);
    assert.throws(() => gitAccessFor("r1", spec({}, { push: { branch: "bailey/x" } }), { secrets: {} }), /has no git remote/);
  });
});

describe("results survive an agent restart: a run that ended while the agent was down is collected (and pushed) when it starts", () => {
  const hostId = `res-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let git: GitServer;

  before(async () => {
    if (
      !(await docker
        .getImage("bailey-test/git:latest")
        .inspect()
        .catch(() => null))
    ) {
      throw new Error("The test image bailey-test/git:latest is missing: run infra/ci/setup-test-host.sh as root.");
    }
    git = await startGitServer();
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await removeByHost(hostId);
    await git?.stop();
  });

  it("the agent is killed while the run works; the run exits meanwhile; the restarted agent collects, pushes and journals results.ready before the run's end", async () => {
    const repo = `restart-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const runId = `res-${randomBytes(4).toString("hex")}`;
    const branch = `bailey/${runId}`;
    const script = "sleep 3; cd /workspace && echo more >> src/app.txt && git -c user.name=R -c user.email=r@x commit -qam more";
    await peer.request("run.create", {
      runId,
      spec: { image: "bailey-test/git:latest", command: ["sh", "-c", script], sandbox: "none", workspace: { git: git.url(repo) }, push: { branch } } as never,
    });
    await peer.request("run.start", { runId });
    peer.close();
    await agent.kill("SIGKILL");
    assert.equal((await docker.getContainer(`bailey-${runId}`).wait()).StatusCode, 0);
    await agent.restart();
    peer = await agent.connect();
    const deadline = Date.now() + 60_000;
    let results = await peer.request("run.results", { runId });
    while (results.state !== "ready" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      results = await peer.request("run.results", { runId });
    }
    assert.equal(results.state, "ready");
    assert.deepEqual(results.missing, []);
    assert.ok(results.headCommit && results.headCommit !== results.baseCommit);
    assert.deepEqual(results.pushed, { branch, commit: results.headCommit });
    assert.equal((await git.git(repo, ["rev-parse", `refs/heads/${branch}`])).trim(), results.headCommit);
    assert.equal((await peer.request("run.inspect", { runId })).state, "exited");
    const types: string[] = (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.filter((event) => event.runId === runId).map((event) => event.type);
    assert.ok(types.indexOf("results.ready") > -1 && types.indexOf("results.ready") < types.lastIndexOf("run.state"), types.join(", "));
    // A run the control plane no longer owns: reconcile removes its workspace and results with the rest.
    const workspaceDir = path.join(agent.stateDir, "workspaces", runId);
    assert.ok(existsSync(workspaceDir));
    await peer.request("host.reconcile", { ownedRunIds: [], removeOnly: [runId] });
    assert.equal(existsSync(workspaceDir), false, "reconcile removed the workspace directory");
  });
});
