import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { RpcError, RpcPeer } from "@bailey/protocol";
import { readAgentEnv } from "../src/env";
import { type AgentProcess, docker, type GitHttpServer, removeByHost, startAgent, startGitHttpServer } from "../src/testing";
import { gitAccessFor } from "../src/workspaces/git-access";

const gitImage = "bailey-test/git:latest";

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

/** The pids whose argv holds `value` now (while a request is being served, the client's git and git-remote-https are alive). */
function processesWithArgvHolding(value: string): string[] {
  const pids: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`).includes(value)) pids.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe("BAILEY_AGENT_GIT_CA_FILE: an absolute PEM path, given to the git of https remotes only", () => {
  it("is read as an absolute path, and a relative one is refused with an example", () => {
    assert.equal(readAgentEnv({ BAILEY_AGENT_GIT_CA_FILE: "/etc/bailey/git-ca.pem" }).BAILEY_AGENT_GIT_CA_FILE, "/etc/bailey/git-ca.pem");
    assert.equal(readAgentEnv({}).BAILEY_AGENT_GIT_CA_FILE, undefined);
    assert.throws(() => readAgentEnv({ BAILEY_AGENT_GIT_CA_FILE: "git-ca.pem" }), /BAILEY_AGENT_GIT_CA_FILE must be an absolute path to a PEM file\. Example/);
  });

  it("becomes http.sslCAInfo for an https remote (with or without a grant), and nothing for ssh or git:// remotes", () => {
    const settings = { caFile: "/etc/bailey/git-ca.pem" };
    const spec = (git: string) => ({ image: "x", command: ["true"], workspace: { git } }) as never;
    assert.deepEqual(gitAccessFor("r1", spec("https://git.example.com/a.git"), undefined, settings)?.configEnv, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.sslCAInfo",
      GIT_CONFIG_VALUE_0: "/etc/bailey/git-ca.pem",
    });
    assert.deepEqual(gitAccessFor("r2", spec("git://git.example.com/a.git"), undefined, settings)?.configEnv, {});
    assert.deepEqual(gitAccessFor("r3", spec("ssh://git@git.example.com/a.git"), undefined, settings)?.configEnv, {});
    assert.deepEqual(gitAccessFor("r4", spec("https://git.example.com/a.git"), undefined)?.configEnv, {}, "unset: the system's bundle, as before");
  });
});

describe("a workspace over HTTPS with a grant (spec.workspace.grant) against a real git http-backend: cloned and pushed with the grant's credential only, which no file, log or argv holds", () => {
  const hostId = `wsh-${randomBytes(3).toString("hex")}`;
  const token = `tok-${randomBytes(16).toString("hex")}`;
  const apiKey = `key-${randomBytes(16).toString("hex")}`;
  const argvHits: string[] = [];
  let clientsSeen = 0;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let git: GitHttpServer;

  before(async () => {
    if (
      !(await docker
        .getImage(gitImage)
        .inspect()
        .catch(() => null))
    )
      throw new Error(`The test image ${gitImage} is missing: run infra/ci/setup-test-host.sh as root.`);
    git = await startGitHttpServer({
      credentials: [
        { header: "Authorization", value: `Bearer ${token}` },
        { header: "X-Git-Token", value: apiKey },
      ],
      onRequest: (request) => {
        for (const secret of [token, apiKey]) argvHits.push(...processesWithArgvHolding(secret));
        // The control: the client's git-remote-https, alive now, has the remote's URL in its argv.
        if (processesWithArgvHolding(`127.0.0.1:${request.socket.localPort}`).length > 0) clientsSeen++;
      },
    });
    agent = await startAgent({ hostId, allow: ["sandbox:none"], env: { BAILEY_AGENT_GIT_CA_FILE: git.caFile } });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await removeByHost(hostId);
    await git?.stop();
  });

  const bearerGrant = () => ({ name: "git", hosts: [`127.0.0.1:${git.port}`], inject: { kind: "bearer" as const }, value: token });
  const commitScript = "cd /workspace && echo over-https >> src/app.txt && git -c user.name=R -c user.email=r@x commit -qam 'over https'";
  const requestsSince = (start: number) => git.requests.slice(start);

  it("clones and pushes over HTTPS with a bearer grant; every request carried it; the token is in no file of the state dir, no log, no event and no process's argv", async () => {
    const repo = `https-${randomBytes(3).toString("hex")}`;
    const { commits } = await git.createRepository(repo);
    const runId = `wsh-${randomBytes(4).toString("hex")}`;
    const branch = `bailey/${runId}`;
    const firstRequest = git.requests.length;
    await peer.request("run.create", {
      runId,
      spec: { image: gitImage, command: ["sh", "-c", commitScript], sandbox: "none", workspace: { git: git.url(repo), grant: "git" }, push: { branch } } as never,
      credentials: { grants: [bearerGrant()] },
    });
    await peer.request("run.start", { runId });
    const results = await waitForResults(peer, runId);
    assert.deepEqual(results.missing, []);
    assert.equal(results.baseCommit, commits.at(-1));
    assert.ok(results.headCommit && results.headCommit !== results.baseCommit, "the run committed");
    assert.deepEqual(results.pushed, { branch, commit: results.headCommit });
    assert.equal((await git.git(repo, ["rev-parse", `refs/heads/${branch}`])).trim(), results.headCommit, "the bare repository has the branch at the run's HEAD");
    assert.equal((await git.git(repo, ["log", "-1", "--format=%s", branch])).trim(), "over https");

    const served = requestsSince(firstRequest);
    assert.ok(
      served.some((request) => request.method === "POST" && request.url.endsWith("/git-upload-pack")),
      `the clone fetched over HTTPS: ${JSON.stringify(served)}`,
    );
    assert.ok(
      served.some((request) => request.method === "POST" && request.url.endsWith("/git-receive-pack") && request.status === 200),
      `the push went over HTTPS: ${JSON.stringify(served)}`,
    );
    assert.deepEqual(
      served.filter((request) => request.credential !== "authorization" || request.status !== 200),
      [],
      "every request carried the bearer token and was served",
    );

    assert.ok(clientsSeen > 0, "the argv scan saw the client's git while it talked to the server (so it could have seen the token)");
    assert.deepEqual(argvHits, [], "no process had the token in its argv while git talked to the server");
    assert.deepEqual(filesHolding(agent.stateDir, token), [], "the token is in no file of the agent's state directory");
    assert.ok(!agent.output().includes(token), "nor in the agent's own log");
    let logs = "";
    for await (const chunk of peer.openStream("run.logs", { runId }).chunks) logs += chunk.data.toString();
    assert.ok(!logs.includes(token), "nor in the run's output");
    const events = (await peer.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.filter((event) => event.runId === runId);
    assert.ok(!JSON.stringify(events).includes(token), "nor in any journalled event");
    assert.ok(
      events.some((event) => event.type === "push.succeeded"),
      events.map((event) => event.type).join(", "),
    );
    await peer.request("run.destroy", { runId });
  });

  it("clones with a header grant (inject.kind header) too", async () => {
    const repo = `https-header-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const runId = `wsh-${randomBytes(4).toString("hex")}`;
    const firstRequest = git.requests.length;
    await peer.request("run.create", {
      runId,
      spec: { image: gitImage, command: ["sh", "-c", "cat /workspace/src/app.txt"], sandbox: "none", workspace: { git: git.url(repo), grant: "key" } } as never,
      credentials: { grants: [{ name: "key", hosts: [`127.0.0.1:${git.port}`], inject: { kind: "header", header: "X-Git-Token" }, value: apiKey }] },
    });
    await peer.request("run.start", { runId });
    await waitForResults(peer, runId);
    let logs = "";
    for await (const chunk of peer.openStream("run.logs", { runId }).chunks) logs += chunk.data.toString();
    assert.match(logs, /version 3/, "the run saw the cloned repository");
    const served = requestsSince(firstRequest);
    assert.ok(served.length > 0 && served.every((request) => request.credential === "x-git-token" && request.status === 200), JSON.stringify(served));
    assert.deepEqual(argvHits, [], "no process had the key in its argv");
    assert.deepEqual(filesHolding(agent.stateDir, apiKey), [], "the key is in no file of the agent's state directory");
    await peer.request("run.destroy", { runId });
  });

  it("without the grant the clone is refused (401): run.create fails naming the remote, leaves no workspace; with a wrong token the message does not hold it", async (t) => {
    const repo = `https-refused-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const wrongToken = `wrong-${randomBytes(16).toString("hex")}`;
    for (const credentials of [undefined, { grants: [{ ...bearerGrant(), value: wrongToken }] }]) {
      const runId = `wsh-${randomBytes(4).toString("hex")}`;
      const firstRequest = git.requests.length;
      await assert.rejects(
        peer.request("run.create", {
          runId,
          spec: { image: gitImage, command: ["true"], sandbox: "none", workspace: { git: git.url(repo), ...(credentials ? { grant: "git" } : {}) } } as never,
          ...(credentials ? { credentials } : {}),
        }),
        (error: RpcError) => {
          t.diagnostic(`refused clone: ${error.message}`);
          assert.ok(error.message.includes(git.url(repo)), `the message names the remote: ${error.message}`);
          assert.match(error.message, /Cloning .* failed: .*(Authentication failed|could not read Username|401)/s);
          assert.ok(!error.message.includes(wrongToken) && !error.message.includes(token), `the message holds no token: ${error.message}`);
          assert.deepEqual(error.data, { runId, during: "workspace" });
          return true;
        },
      );
      const served = requestsSince(firstRequest);
      assert.ok(served.length > 0 && served.every((request) => request.status === 401 && request.credential === null), `the server refused every request: ${JSON.stringify(served)}`);
      assert.equal(existsSync(path.join(agent.stateDir, "workspaces", runId)), false, "no workspace directory is left");
      assert.deepEqual(filesHolding(agent.stateDir, wrongToken), [], "the wrong token is in no file either");
      await peer.request("run.destroy", { runId });
    }
  });

  it("without BAILEY_AGENT_GIT_CA_FILE the host's git does not trust the server's private CA: the clone fails saying so", async (t) => {
    peer.close();
    await agent.restart({ env: {} });
    peer = await agent.connect();
    const repo = `https-untrusted-${randomBytes(3).toString("hex")}`;
    await git.createRepository(repo);
    const runId = `wsh-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      peer.request("run.create", {
        runId,
        spec: { image: gitImage, command: ["true"], sandbox: "none", workspace: { git: git.url(repo), grant: "git" } } as never,
        credentials: { grants: [bearerGrant()] },
      }),
      (error: RpcError) => {
        t.diagnostic(`untrusted CA: ${error.message}`);
        assert.match(error.message, /certificate/i, `the message says the certificate did not verify: ${error.message}`);
        assert.ok(!error.message.includes(token), error.message);
        return true;
      },
    );
    await peer.request("run.destroy", { runId });
  });
});
