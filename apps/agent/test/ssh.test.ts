import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "ssh2";
import { generateKeyPair, startSshd, type KeyPair, type RunningSshd } from "@bailey/agent-client/testing";
import { protocolVersion, RpcPeer } from "@bailey/protocol";
import { agentMain, makeAgentDirs, removeByHost, startAgent, type AgentProcess } from "./support/agent-process";

describe("the agent through a real OpenSSH server, with the key restricted to dial-stdio", () => {
  const hostId = `ssh-host-${randomBytes(3).toString("hex")}`;
  let dirs: Awaited<ReturnType<typeof makeAgentDirs>>;
  let agent: AgentProcess;
  let sshd: RunningSshd;
  let key: KeyPair;
  let keyFile = "";

  before(async () => {
    dirs = await makeAgentDirs();
    agent = await startAgent({ socketPath: dirs.socketPath, stateDir: dirs.stateDir, hostId });
    // What infra/install.sh puts on PATH as `bailey-agent`, pointed at this test's socket.
    const wrapper = path.join(dirs.root, "bailey-agent");
    // sshd starts the forced command in the user's home with a bare environment, so the
    // wrapper sets its socket and runs from the repository, where tsx resolves.
    await writeFile(wrapper, `#!/bin/sh\nexport BAILEY_AGENT_SOCKET=${dirs.socketPath}\ncd ${path.resolve(agentMain, "../../../..")}\nexec ${process.execPath} --import tsx ${agentMain} "$@"\n`);
    await chmod(wrapper, 0o755);
    key = await generateKeyPair();
    keyFile = path.join(dirs.root, "id_ed25519");
    await writeFile(keyFile, key.privateKey, { mode: 0o600 });
    sshd = await startSshd({ authorizedKeys: [`restrict,command="${wrapper} dial-stdio" ${key.publicKey}`] });
  });
  after(async () => {
    await sshd?.stop();
    await agent?.kill();
    await removeByHost(hostId);
    await dirs?.cleanup();
  });

  it("speaks the protocol over an exec channel, checking the pinned host key", async () => {
    const client = new Client();
    let presentedKey = "";
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve()).once("error", reject);
      client.connect({
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        privateKey: key.privateKey,
        hostVerifier: (hostKey: Buffer) => {
          presentedKey = `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
          return presentedKey === sshd.hostKeyFingerprint;
        },
      });
    });
    try {
      assert.equal(presentedKey, sshd.hostKeyFingerprint);
      const channel = await new Promise<import("ssh2").ClientChannel>((resolve, reject) =>
        client.exec("whatever the client asks for", (error, stream) => (error ? reject(error) : resolve(stream))),
      );
      const peer = new RpcPeer(channel);
      const hello = await peer.request("agent.hello", { protocolVersion, client: "ssh-test" });
      assert.equal(hello.hostId, hostId);
      assert.equal(hello.runtime, "docker");
      assert.equal(hello.features.runsc, true);
      const results = await Promise.all(Array.from({ length: 20 }, () => peer.request("events.pull", { afterSeq: 0, limit: 1 })));
      assert.equal(results.length, 20, "many calls share the one channel");
      peer.close();
    } finally {
      client.end();
    }
  });

  it("the same key cannot run any other command, nor forward ports", () => {
    const ssh = (...args: string[]) =>
      spawnSync("ssh", ["-n", "-i", keyFile, "-p", String(sshd.port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", ...args], {
        encoding: "utf8",
        timeout: 20_000,
      });
    const attempt = ssh(`${sshd.user}@${sshd.host}`, "echo pwned; cat /etc/hostname");
    assert.doesNotMatch(attempt.stdout, /pwned/, "the requested command never ran");
    const forward = ssh("-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:0:127.0.0.1:22", `${sshd.user}@${sshd.host}`);
    assert.notEqual(forward.status, 0, "port forwarding is refused");
  });
});
