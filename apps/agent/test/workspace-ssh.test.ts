import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, type KeyPair, type RunningSshd, startSshd } from "@bailey/agent-client/testing";
import type { RpcPeer } from "@bailey/protocol";
import { type AgentProcess, docker, type GitServer, removeByHost, startAgent, startGitServer } from "../src/testing";

const gitImage = "bailey-test/git:latest";
const tmpfsRoot = "/dev/shm/bailey";

async function waitForResults(peer: RpcPeer, runId: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const results = await peer.request("run.results", { runId });
    if (results.state === "ready") return results;
    if (Date.now() > deadline) throw new Error(`run ${runId}'s results stayed ${results.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every file under `dir` whose bytes hold `value`. */
function filesHolding(dir: string, value: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => readFileSync(file).includes(value));
}

describe("a workspace over ssh with a deploy key (spec.workspace.sshKeySecret) against a real sshd: cloned and pushed with only that key, which never reaches the disk", () => {
  const hostId = `wss-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let git: GitServer;
  let sshd: RunningSshd;
  let deployKey: KeyPair;

  before(async () => {
    if (
      !(await docker
        .getImage(gitImage)
        .inspect()
        .catch(() => null))
    )
      throw new Error(`The test image ${gitImage} is missing: run infra/ci/setup-test-host.sh as root.`);
    git = await startGitServer();
    deployKey = await generateKeyPair("bailey-deploy-key");
    sshd = await startSshd({ authorizedKeys: [deployKey.publicKey] });
    agent = await startAgent({ hostId, allow: ["sandbox:none"] });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await removeByHost(hostId);
    await sshd?.stop();
    await git?.stop();
  });

  const sshUrl = (repo: string) => `ssh://${sshd.user}@127.0.0.1:${sshd.port}${path.join(git.baseDir, `${repo}.git`)}`;
  const commitScript = (delay: number) => `sleep ${delay}; cd /workspace && echo over-ssh >> src/app.txt && git -c user.name=R -c user.email=r@x commit -qam 'over ssh'`;

  it("clones and pushes over ssh; the host key is remembered in the run's directory; the key is in no file of the state dir or the tmpfs afterwards", async () => {
    const repo = `ssh-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const runId = `wss-${randomBytes(4).toString("hex")}`;
    const branch = `bailey/${runId}`;
    await peer.request("run.create", {
      runId,
      spec: { image: gitImage, command: ["sh", "-c", commitScript(0)], sandbox: "none", workspace: { git: sshUrl(repo), sshKeySecret: "deploy_key" }, push: { branch } } as never,
      credentials: { secrets: { deploy_key: deployKey.privateKey } },
    });
    await peer.request("run.start", { runId });
    const results = await waitForResults(peer, runId);
    assert.deepEqual(results.missing, []);
    assert.deepEqual(results.pushed, { branch, commit: results.headCommit });
    assert.equal((await git.git(repo, ["rev-parse", `refs/heads/${branch}`])).trim(), results.headCommit);
    const knownHosts = readFileSync(path.join(agent.stateDir, "workspaces", runId, "known_hosts"), "utf8");
    assert.ok(knownHosts.includes(sshd.hostPublicKey.split(" ")[1] as string), "the server's host key is remembered for the push");
    const keyBody = deployKey.privateKey.split("\n")[1] as string;
    assert.deepEqual(filesHolding(agent.stateDir, keyBody), [], "the deploy key is in no file of the agent's state directory");
    assert.deepEqual(filesHolding(tmpfsRoot, keyBody), [], "nor on the tmpfs once git is done");
    await peer.request("run.destroy", { runId });
  });

  it("after an agent restart the key is gone from memory: the push fails saying so, and the results are still collected", async () => {
    const repo = `ssh-restart-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const runId = `wss-${randomBytes(4).toString("hex")}`;
    const branch = `bailey/${runId}`;
    await peer.request("run.create", {
      runId,
      spec: { image: gitImage, command: ["sh", "-c", commitScript(3)], sandbox: "none", workspace: { git: sshUrl(repo), sshKeySecret: "deploy_key" }, push: { branch } } as never,
      credentials: { secrets: { deploy_key: deployKey.privateKey } },
    });
    await peer.request("run.start", { runId });
    peer.close();
    await agent.kill("SIGKILL");
    await docker.getContainer(`bailey-${runId}`).wait();
    await agent.restart();
    peer = await agent.connect();
    const results = await waitForResults(peer, runId);
    assert.equal(results.pushed, null);
    assert.ok(
      results.files.some((file) => file.name === "commits.bundle"),
      "the bundle is there to push by hand",
    );
    assert.match(results.missing.find((entry) => entry.name === "push")?.reason ?? "", /held in its memory only/);
    await assert.rejects(git.git(repo, ["rev-parse", "--verify", `refs/heads/${branch}`]), "the branch was not pushed");
    const types: string[] = (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.filter((event) => event.runId === runId).map((event) => event.type);
    assert.ok(types.includes("push.failed"), types.join(", "));
    await peer.request("run.destroy", { runId });
  });
});
