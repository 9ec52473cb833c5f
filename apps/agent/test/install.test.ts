import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { generateKeyPair } from "@bailey/agent-client/testing";
import { protocolVersion, RpcPeer } from "@bailey/protocol";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const installer = path.join(root, "infra/install.sh");
const bundle = path.join(root, "apps/agent/dist/bailey-agent.cjs");

function install(args: string[]) {
  return spawnSync("bash", [installer, ...args], { encoding: "utf8", timeout: 120_000 });
}

async function hello(socketPath: string) {
  const socket = net.connect(socketPath);
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const peer = new RpcPeer(socket);
  try {
    return await peer.request("agent.hello", { protocolVersion, client: "install-test" });
  } finally {
    peer.close();
  }
}

// Installs for real on this machine (as root): user, service or fallback, authorized_keys, daemon.
describe("infra/install.sh on this host", () => {
  let scratch = "";
  let sha256 = "";
  let publicKey = "";

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error("The install test runs as root (npm test on the CI host does).");
    execFileSync(process.execPath, [path.join(root, "apps/agent/build.mjs")], { stdio: "ignore" });
    sha256 = readFileSync(`${bundle}.sha256`, "utf8").split(" ")[0] ?? "";
    publicKey = (await generateKeyPair("bailey-control-plane")).publicKey;
    scratch = await mkdtemp(path.join(tmpdir(), "bailey-install-"));
  });
  after(async () => {
    install(["--purge"]);
    await rm(scratch, { recursive: true, force: true });
  });

  it("refuses an agent whose checksum does not match, installing nothing", () => {
    const result = install(["--agent", bundle, "--sha256", "0".repeat(64), "--authorized-key", publicKey]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /SHA-256 is [0-9a-f]{64}, not the expected 0{64}: refusing to install it/);
    assert.equal(existsSync("/opt/bailey/bailey-agent.cjs"), false);
  });

  it("installs the agent, its user, the restricted key and a running daemon; a re-run upgrades in place", async () => {
    const first = install(["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"]);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /SSH host key fingerprint: (SHA256:\S+|unknown)/);
    assert.match(first.stdout, /installed (as the systemd service|without systemd)/);

    const groups = execFileSync("id", ["-nG", "bailey"], { encoding: "utf8" });
    assert.match(groups, /\bdocker\b/, "the bailey user may use the engine");
    const keys = readFileSync("/home/bailey/.ssh/authorized_keys", "utf8");
    assert.equal(keys, `restrict,command="/usr/local/bin/bailey-agent dial-stdio" ${publicKey}\n`);
    const socket = statSync("/run/bailey/agent.sock");
    assert.equal(socket.mode & 0o777, 0o600, "the socket is owner-only");
    assert.equal(socket.uid, Number(execFileSync("id", ["-u", "bailey"], { encoding: "utf8" })));
    const greeting = await hello("/run/bailey/agent.sock");
    assert.equal(greeting.hostId, "install-test-host");
    assert.equal(greeting.runtime, "docker");

    // Leave a mark in the journal's directory: a re-run must keep the agent's state.
    await appendFile("/var/lib/bailey-agent/journal.jsonl", "");
    const marker = "/var/lib/bailey-agent/keep-me";
    await writeFile(marker, "state");
    const second = install(["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"]);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.equal(readFileSync("/home/bailey/.ssh/authorized_keys", "utf8"), keys, "still exactly one key line");
    assert.equal(readFileSync(marker, "utf8"), "state", "the state directory survived the upgrade");
    assert.equal((await hello("/run/bailey/agent.sock")).hostId, "install-test-host", "the daemon runs again after the upgrade");
  });

  it("tells a host what it lacks", async () => {
    // A host whose Node.js is too old: a `node` first on PATH that reports version 16.
    await writeFile(path.join(scratch, "node"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const result = spawnSync("bash", [installer, "--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${scratch}:${process.env.PATH}` },
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Node\.js >= 18: apt-get install -y nodejs/);
  });
});
