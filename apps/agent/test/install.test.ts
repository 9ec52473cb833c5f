import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { SshTransport } from "@bailey/agent-client";
import { generateKeyPair } from "@bailey/agent-client/testing";
import { protocolVersion, RpcPeer } from "@bailey/protocol";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const installer = path.join(root, "infra/install.sh");
const bundle = path.join(root, "apps/agent/dist/bailey-agent.cjs");
const authorizedKeys = "/etc/bailey/authorized_keys";
const sshdDropin = "/etc/ssh/sshd_config.d/00-bailey-agent.conf";

function install(args: string[]) {
  return spawnSync("bash", [installer, ...args], { encoding: "utf8", timeout: 120_000 });
}

/** Not spawnSync: a test's own HTTP server (the stand-in control plane) must keep answering. */
function installAsync(args: string[], { input, env }: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [installer, ...args], { env: env ?? process.env, timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
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

const readOrNull = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : null);
/** Running, not merely unreaped: a killed child stays a zombie in /proc until its parent waits for it. */
const alive = (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  try {
    return readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};
const agentPids = () =>
  readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8") === "node\0/opt/bailey/bailey-agent.cjs\0serve\0";
      } catch {
        return false;
      }
    });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The host's own sshd configuration (StrictModes, PAM, the drop-in), on a loopback port of its own. */
async function startSystemSshd(dir: string) {
  const hostKey = path.join(dir, "host_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { encoding: "utf8" }).split(" ")[1] ?? "";
  const port = await freePort();
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", "/etc/ssh/sshd_config", "-p", String(port), "-h", hostKey, "-o", "ListenAddress=127.0.0.1", "-o", `PidFile=${path.join(dir, "sshd.pid")}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`sshd exited at start-up: ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) break;
    if (attempt > 100) throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, fingerprint, stderr: () => stderr, stop: () => child.kill("SIGTERM") };
}

async function helloOverSsh(options: { port: number; fingerprint: string; privateKey: string; command?: string }) {
  const transport = new SshTransport({ host: "127.0.0.1", port: options.port, username: "bailey", privateKey: options.privateKey, hostKeyFingerprint: options.fingerprint, command: options.command });
  const { stream, close } = await transport.open();
  const peer = new RpcPeer(stream);
  try {
    return await peer.request("agent.hello", { protocolVersion, client: "install-test" }, { timeoutMs: 10_000 });
  } finally {
    peer.close();
    close();
  }
}

// Installs for real on this machine (as root): user, service or fallback, authorized_keys, daemon.
describe("infra/install.sh on this host", () => {
  let scratch = "";
  let sha256 = "";
  let publicKey = "";
  let privateKey = "";

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error("The install test runs as root (npm test on the CI host does).");
    execFileSync(process.execPath, [path.join(root, "apps/agent/build.mjs")], { stdio: "ignore" });
    sha256 = readFileSync(`${bundle}.sha256`, "utf8").split(" ")[0] ?? "";
    ({ publicKey, privateKey } = await generateKeyPair("bailey-control-plane"));
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

  it("refuses a smuggled second key line, control characters, unanchored values and plain http, writing nothing", () => {
    const before = { keys: readOrNull(authorizedKeys), dropin: readOrNull(sshdDropin), env: readOrNull("/etc/bailey/agent.env") };
    const base = ["--agent", bundle, "--sha256", sha256];
    const refusals: [string[], RegExp][] = [
      [[...base, "--authorized-key", `${publicKey}\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB attacker`], /control character .*paste the install command as one line/],
      [[...base, "--authorized-key", `${publicKey}\r`], /control character/],
      [[...base, "--authorized-key", publicKey, "--host-id", "host\nBAILEY_AGENT_SOCKET=/tmp/x"], /control character/],
      [[...base, "--authorized-key", `${publicKey} x,command="/bin/sh"`], /--authorized-key must be the control plane's public key on one line/],
      [[...base, "--authorized-key", `from="*" ${publicKey}`], /--authorized-key must be/],
      [
        [...base, "--authorized-key", publicKey, "--control-plane", "http://example.com"],
        /--control-plane must use https:\/\/ \(plain http is accepted only for a loopback address: 127\.0\.0\.0\/8, \[::1\], localhost\), got 'http:\/\/example\.com'/,
      ],
      [[...base, "--authorized-key", publicKey, "--control-plane", "http://127.0.0.1.example.com"], /--control-plane must use https/],
      [[...base, "--authorized-key", publicKey, "--control-plane", "https://bailey.example.com/$(id)"], /--control-plane must be a URL/],
      [
        [...base, "--authorized-key", publicKey, "--control-plane", "https://bailey.example.com", "--enroll-token", `blye_${"a".repeat(43)}`],
        /--enroll-token would show the token in ps .*--enroll-token-file -/,
      ],
      [[...base, "--authorized-key", publicKey, "--ssh-port", "70000"], /--ssh-port must be a port number, 1-65535/],
      [[...base, "--authorized-key"], /--authorized-key needs a value/],
      [[...base, "--authorized-key", publicKey, "--allow", "docker:dind,docker:everything"], /--allow takes a comma list of docker:dind, sandbox:none and docker:host, or none/],
    ];
    for (const [args, message] of refusals) {
      const result = install(args);
      assert.notEqual(result.status, 0, JSON.stringify(args));
      assert.match(result.stderr, message, JSON.stringify(args));
    }
    assert.deepEqual({ keys: readOrNull(authorizedKeys), dropin: readOrNull(sshdDropin), env: readOrNull("/etc/bailey/agent.env") }, before, "a refused install writes nothing");
  });

  it("installs the agent, its user, the root-owned restricted key and a running daemon; a re-run upgrades in place", async () => {
    const first = install(["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host", "--allow", "docker:dind"]);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(readFileSync("/etc/bailey/agent.env", "utf8"), /^BAILEY_ALLOW=docker:dind$/m, "--allow lands in agent.env");
    assert.match(first.stdout, /SSH host key fingerprint: (SHA256:\S+|unknown)/);
    assert.match(first.stdout, /installed (as the systemd service|without systemd)/);

    const groups = execFileSync("id", ["-nG", "bailey"], { encoding: "utf8" });
    assert.match(groups, /\bdocker\b/, "the bailey user may use the engine");
    const keys = readFileSync(authorizedKeys, "utf8");
    assert.equal(keys, `restrict,command="/usr/local/bin/bailey-agent dial-stdio" ${publicKey}\n`);
    for (const file of [authorizedKeys, sshdDropin, "/etc/bailey/agent.env", "/etc/bailey", "/usr/local/bin/bailey-agent", "/opt/bailey/bailey-agent.cjs"]) {
      const stat = statSync(file);
      assert.equal(stat.uid, 0, `${file} is root's`);
      assert.equal(stat.mode & 0o022, 0, `${file} is writable by root only`);
    }
    assert.equal(readFileSync(sshdDropin, "utf8").split("\n").slice(1).join("\n"), `Match User bailey\n\tAuthorizedKeysFile ${authorizedKeys}\n`);
    const effective = execFileSync("/usr/sbin/sshd", ["-T", "-C", "user=bailey,host=localhost,addr=127.0.0.1"], { encoding: "utf8" });
    assert.match(effective, new RegExp(`^authorizedkeysfile ${authorizedKeys}$`, "m"), "the host's sshd reads the root-owned file for bailey");
    assert.match(execFileSync("/usr/sbin/sshd", ["-T", "-C", "user=root,host=localhost,addr=127.0.0.1"], { encoding: "utf8" }), /^authorizedkeysfile \.ssh\/authorized_keys/m, "and only for bailey");
    const socket = statSync("/run/bailey/agent.sock");
    assert.equal(socket.mode & 0o777, 0o600, "the socket is owner-only");
    assert.equal(socket.uid, Number(execFileSync("id", ["-u", "bailey"], { encoding: "utf8" })));
    const greeting = await hello("/run/bailey/agent.sock");
    assert.equal(greeting.hostId, "install-test-host");
    assert.equal(greeting.runtime, "docker");
    assert.deepEqual(greeting.allowed, ["docker:dind"], "the agent reports what its host allows");

    // Leave a mark in the journal's directory: a re-run must keep the agent's state.
    await appendFile("/var/lib/bailey-agent/journal.jsonl", "");
    const marker = "/var/lib/bailey-agent/keep-me";
    await writeFile(marker, "state");
    const second = install(["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"]);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.equal(readFileSync(authorizedKeys, "utf8"), keys, "still exactly one key line");
    assert.equal(readFileSync(marker, "utf8"), "state", "the state directory survived the upgrade");
    assert.match(readFileSync("/etc/bailey/agent.env", "utf8"), /^BAILEY_ALLOW=docker:dind$/m, "a re-run without --allow keeps what the host allowed");
    assert.equal((await hello("/run/bailey/agent.sock")).hostId, "install-test-host", "the daemon runs again after the upgrade");
    assert.equal(agentPids().length, 1, "the upgrade replaced the old daemon");
  });

  it("registers runsc-host-uds beside runsc in Docker's configuration (runsc's entry plus --host-uds=open), once, and doctor reports it", async () => {
    const dir = await mkdtemp(path.join(scratch, "docker-config-"));
    const config = path.join(dir, "daemon.json");
    const runsc = { path: "/usr/bin/runsc", runtimeArgs: ["--network=host"] };
    await writeFile(config, JSON.stringify({ "log-level": "warn", runtimes: { runsc } }), { mode: 0o644 });
    const args = ["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"];
    const env = { ...process.env, BAILEY_INSTALL_DOCKER_CONFIG: config };

    const first = await installAsync(args, { env });
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /registered runsc-host-uds in \S+daemon\.json/);
    assert.deepEqual(JSON.parse(readFileSync(config, "utf8")), {
      "log-level": "warn",
      runtimes: { runsc, "runsc-host-uds": { path: "/usr/bin/runsc", runtimeArgs: ["--network=host", "--host-uds=open"] } },
    });
    assert.equal(statSync(config).mode & 0o777, 0o644, "the file keeps its mode");
    // The machine's own dockerd has it (setup-test-host.sh registers it), so the doctor the install runs says so.
    assert.match(first.stdout, /^ok {3}docker:host under gVisor \(runsc-host-uds\): registered with the engine$/m);

    const written = readFileSync(config, "utf8");
    const second = await installAsync(args, { env });
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.doesNotMatch(second.stdout, /registered runsc-host-uds/);
    assert.equal(readFileSync(config, "utf8"), written, "a re-run leaves it as it is");

    const withoutRunsc = JSON.stringify({ runtimes: { nvidia: { path: "/usr/bin/nvidia-container-runtime" } } });
    await writeFile(config, withoutRunsc);
    const third = await installAsync(args, { env });
    assert.equal(third.status, 0, third.stdout + third.stderr);
    assert.equal(readFileSync(config, "utf8"), withoutRunsc, "no runsc, nothing added");
  });

  it("lets the control plane in through the host's own sshd (StrictModes, PAM) with the forced command only; a key the agent user adds is refused", async (t) => {
    const dir = await mkdtemp(path.join(scratch, "sshd-"));
    const sshd = await startSystemSshd(dir);
    t.after(() => sshd.stop());
    const asked = await helloOverSsh({ port: sshd.port, fingerprint: sshd.fingerprint, privateKey, command: "id; cat /etc/shadow" });
    assert.equal(asked.hostId, "install-test-host", "whatever the client asks for, sshd runs the relay to the daemon");

    // The agent user writes an unrestricted key of its own where sshd used to look.
    const own = await generateKeyPair("planted");
    execFileSync("runuser", ["-u", "bailey", "--", "sh", "-c", `mkdir -p -m 700 /home/bailey/.ssh && printf '%s\\n' '${own.publicKey}' > /home/bailey/.ssh/authorized_keys`]);
    await assert.rejects(helloOverSsh({ port: sshd.port, fingerprint: sshd.fingerprint, privateKey: own.privateKey }), /All configured authentication methods failed|authentication/i);
    await rm("/home/bailey/.ssh", { recursive: true, force: true });
  });

  it("follows no symlink the agent user plants in its home, and refuses symlinks where root writes", async () => {
    const canaryDir = await mkdtemp(path.join(scratch, "canary-"));
    const canary = path.join(canaryDir, "authorized_keys");
    await writeFile(canary, "canary\n", { mode: 0o600 });
    const args = ["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"];

    // .ssh -> a directory of root's; then .ssh/authorized_keys -> a file of root's.
    execFileSync("runuser", ["-u", "bailey", "--", "ln", "-sfn", canaryDir, "/home/bailey/.ssh"]);
    const viaDir = install(args);
    assert.equal(viaDir.status, 0, viaDir.stdout + viaDir.stderr);
    assert.equal(readFileSync(canary, "utf8"), "canary\n", "the target of a planted .ssh is untouched");
    assert.deepEqual(readdirSync(canaryDir), ["authorized_keys"], "nothing was written beside it");
    assert.equal(readlinkSync("/home/bailey/.ssh"), canaryDir);
    await rm("/home/bailey/.ssh");
    execFileSync("runuser", ["-u", "bailey", "--", "sh", "-c", `mkdir -m 700 /home/bailey/.ssh && ln -s ${canary} /home/bailey/.ssh/authorized_keys`]);
    const viaFile = install(args);
    assert.equal(viaFile.status, 0, viaFile.stdout + viaFile.stderr);
    assert.equal(readFileSync(canary, "utf8"), "canary\n", "the target of a planted authorized_keys is untouched");
    assert.equal(statSync(canary).uid, 0, "and still root's");
    assert.equal(lstatSync("/home/bailey/.ssh/authorized_keys").isSymbolicLink(), true);
    await rm("/home/bailey/.ssh", { recursive: true, force: true });

    // Root-owned places are checked too: a symlink there is refused, not written through.
    const keys = readFileSync(authorizedKeys, "utf8");
    await rm(authorizedKeys);
    execFileSync("ln", ["-s", canary, authorizedKeys]);
    try {
      const refused = install(args);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /\/etc\/bailey\/authorized_keys is a symlink: refusing to write through it; remove it and re-run/);
      assert.equal(readFileSync(canary, "utf8"), "canary\n");
    } finally {
      await rm(authorizedKeys);
      await writeFile(authorizedKeys, keys, { mode: 0o644 });
    }
  });

  it("never kills a process the agent user names in a pid file; stops only the agent's own", async (t) => {
    const bystander = spawn("sleep", ["600"], { stdio: "ignore" });
    const lookalike = spawn("setpriv", ["--reuid=bailey", "--regid=bailey", "--clear-groups", "sleep", "600"], { stdio: "ignore" });
    t.after(() => {
      bystander.kill("SIGKILL");
      lookalike.kill("SIGKILL");
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The old installer killed whatever /run/bailey/agent.pid named, as root.
    execFileSync("runuser", ["-u", "bailey", "--", "sh", "-c", `echo ${bystander.pid} > /run/bailey/agent.pid`]);
    const [before] = agentPids();
    const result = install(["--agent", bundle, "--sha256", sha256, "--authorized-key", publicKey, "--host-id", "install-test-host"]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(alive(bystander), true, "root's sleep named in the pid file is alive");
    assert.equal(alive(lookalike), true, "the agent user's other processes are left alone");
    assert.equal(existsSync(`/proc/${before}`), false, "the old agent was stopped");
    assert.equal(agentPids().length, 1);
  });

  it("reads the enrollment token from stdin or a file, reports it to a loopback http control plane, and never puts it in argv", async (t) => {
    const reports: { token: string; agentHostId: string }[] = [];
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk));
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/api/v1/hosts/enroll") return response.writeHead(404).end();
        reports.push(JSON.parse(body));
        response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: "h1", name: "install-test-host", status: "online" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const controlPlane = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

    // Every curl the installer starts leaves its argv behind; and every process's argv is watched meanwhile.
    const shims = await mkdtemp(path.join(scratch, "shims-"));
    const curlLog = path.join(shims, "curl.log");
    await writeFile(path.join(shims, "curl"), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${curlLog}\nexec /usr/bin/curl "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${shims}:${process.env.PATH}` };
    const seenInArgv = new Set<string>();
    const tokens = [`blye_${"s".repeat(42)}1`, `blye_${"f".repeat(42)}2`];
    const watcher = setInterval(() => {
      for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          for (const token of tokens) if (argv.includes(token)) seenInArgv.add(`${token} in ${argv.replaceAll("\0", " ")}`);
        } catch {}
      }
    }, 10);
    t.after(() => clearInterval(watcher));

    const args = [
      "--agent",
      bundle,
      "--sha256",
      sha256,
      "--authorized-key",
      publicKey,
      "--host-id",
      "install-test-host",
      "--control-plane",
      controlPlane,
      "--ssh-address",
      "127.0.0.1",
      "--ssh-port",
      "22",
    ];
    const viaStdin = await installAsync([...args, "--enroll-token-file", "-"], { input: `${tokens[0]}\n`, env });
    assert.equal(viaStdin.status, 0, viaStdin.stdout + viaStdin.stderr);
    assert.match(viaStdin.stdout, /enrolled in Bailey as install-test-host: online/);
    const tokenFile = path.join(scratch, "token");
    await writeFile(tokenFile, tokens[1]!, { mode: 0o600 });
    const viaFile = await installAsync([...args, "--enroll-token-file", tokenFile], { env });
    assert.equal(viaFile.status, 0, viaFile.stdout + viaFile.stderr);
    clearInterval(watcher);

    assert.deepEqual(
      reports.map((report) => [report.token, report.agentHostId]),
      tokens.map((token) => [token, "install-test-host"]),
    );
    assert.match(readFileSync(curlLog, "utf8"), /--data-binary @- .*\/api\/v1\/hosts\/enroll/, "the shim saw the report go out");
    for (const token of tokens) {
      assert.equal(readFileSync(curlLog, "utf8").includes(token), false, "no curl had the token in its arguments");
      assert.equal((viaStdin.stdout + viaStdin.stderr + viaFile.stdout + viaFile.stderr).includes(token), false, "the installer never prints the token");
    }
    assert.deepEqual([...seenInArgv], [], "no process had the token in its argv");

    const garbled = await installAsync([...args, "--enroll-token-file", "-"], { input: `${tokens[0]}\r\n`, env });
    assert.notEqual(garbled.status, 0);
    assert.match(garbled.stderr, /--enroll-token-file: expected one line holding the blye_\.\.\. token/);
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

  it("--uninstall stops only the agent and takes the control plane's key away", () => {
    const result = install(["--uninstall"]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(agentPids(), []);
    assert.equal(existsSync(authorizedKeys), false);
    assert.equal(existsSync(sshdDropin), false);
  });
});
