import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Client } from "ssh2";
import { protocolVersion, RpcPeer } from "@bailey/protocol";
import { type AgentHost, standinImage, startAgentHost } from "../src/testing";

describe("the agent through a real OpenSSH server, with the key restricted to dial-stdio", () => {
  const hostId = `ssh-host-${randomBytes(3).toString("hex")}`;
  let host: AgentHost;

  before(async () => {
    host = await startAgentHost({ hostId, buildkitImage: standinImage });
  });
  after(async () => {
    await host?.stop();
  });

  it("speaks the protocol over an exec channel, checking the pinned host key", async () => {
    const client = new Client();
    let presentedKey = "";
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve()).once("error", reject);
      client.connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey: host.privateKey,
        hostVerifier: (hostKey: Buffer) => {
          presentedKey = `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
          return presentedKey === host.fingerprint;
        },
      });
    });
    try {
      assert.equal(presentedKey, host.fingerprint);
      const channel = await new Promise<import("ssh2").ClientChannel>((resolve, reject) => client.exec("whatever the client asks for", (error, stream) => (error ? reject(error) : resolve(stream))));
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
      spawnSync(
        "ssh",
        ["-n", "-i", host.keyFile, "-p", String(host.port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", ...args],
        {
          encoding: "utf8",
          timeout: 20_000,
        },
      );
    const attempt = ssh(`${host.user}@${host.address}`, "echo pwned; cat /etc/hostname");
    assert.doesNotMatch(attempt.stdout, /pwned/, "the requested command never ran");
    const forward = ssh("-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:0:127.0.0.1:22", `${host.user}@${host.address}`);
    assert.notEqual(forward.status, 0, "port forwarding is refused");
  });
});
