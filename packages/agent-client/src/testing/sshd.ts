import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export interface SshdOptions {
  /** Lines for authorized_keys, e.g. `restrict,command="bailey-agent dial-stdio" ssh-ed25519 AAAA...`. */
  authorizedKeys: string[];
  /**
   * Use an authorized_keys already on the host (e.g. /etc/bailey/authorized_keys, which
   * install.sh writes) instead: a path as sshd_config's AuthorizedKeysFile takes it.
   */
  userAuthorizedKeysFile?: string;
  /** The user the control plane logs in as; defaults to whoever runs the test. */
  user?: string;
  /** Extra environment for the forced command (sshd passes its own environment through). */
  env?: Record<string, string>;
}

export interface RunningSshd {
  host: string;
  port: number;
  user: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  hostPublicKey: string;
  /** The host key's .pub file, as install.sh's --ssh-host-key takes it. */
  hostPublicKeyFile: string;
  /** The listening sshd; each connection is served by a child of it. */
  pid: number;
  stop(): Promise<void>;
}

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

const sshdPath = "/usr/sbin/sshd";

function requireOpenSsh(): void {
  if (!existsSync(sshdPath) || spawnSync("ssh-keygen", ["-?"]).error) {
    throw new Error("OpenSSH server not found: install it with `apt-get install openssh-server` (npm test does this via infra/ci/setup-test-host.sh).");
  }
}

export async function generateKeyPair(comment = "bailey-test"): Promise<KeyPair> {
  requireOpenSsh();
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-key-"));
  try {
    const file = path.join(dir, "id_ed25519");
    const result = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
    return { privateKey: await readFile(file, "utf8"), publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A real OpenSSH server on a loopback port with its own host key and authorized_keys,
 * for tests that must cross sshd exactly as production does.
 */
export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  requireOpenSsh();
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-sshd-"));
  await chmod(dir, 0o755);
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  if (keygen.status !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr}`);
  const fingerprint = spawnSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { encoding: "utf8" }).stdout.split(" ")[1] ?? "";

  const authorizedKeys = path.join(dir, "authorized_keys");
  await writeFile(authorizedKeys, `${options.authorizedKeys.join("\n")}\n`, { mode: 0o600 });
  const port = await freePort();
  const user = options.user ?? userInfo().username;
  const config = path.join(dir, "sshd_config");
  await writeFile(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${options.userAuthorizedKeysFile ?? authorizedKeys}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `PasswordAuthentication no`,
      `KbdInteractiveAuthentication no`,
      `PubkeyAuthentication yes`,
      `PermitRootLogin prohibit-password`,
      `AllowUsers ${user}`,
      `StrictModes no`,
      `UsePAM no`,
      `AllowAgentForwarding no`,
      `AllowTcpForwarding no`,
      `X11Forwarding no`,
      `PermitUserEnvironment no`,
      `LogLevel ERROR`,
      "",
    ].join("\n"),
  );

  const child: ChildProcess = spawn(sshdPath, ["-D", "-e", "-f", config], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...options.env },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  await waitForListening(port, child, () => stderr);

  return {
    host: "127.0.0.1",
    port,
    user,
    hostKeyFingerprint: fingerprint,
    hostPublicKey: (await readFile(`${hostKey}.pub`, "utf8")).trim(),
    hostPublicKeyFile: `${hostKey}.pub`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForListening(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`sshd exited at start-up: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${stderr()}`);
}
