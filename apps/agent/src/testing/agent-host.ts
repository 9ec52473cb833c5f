import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateKeyPair, type RunningSshd, startSshd } from "@bailey/agent-client/testing";
import { type AgentProcess, agentBundle, agentMain, repoRoot, type StartAgentOptions, startAgent } from "./agent-process";

export interface StartAgentHostOptions extends StartAgentOptions {
  /** The comment on the control plane's key pair. */
  keyComment?: string;
  /** The user the control plane logs in as; defaults to whoever runs the test. */
  user?: string;
  /** The control plane's existing key pair, for a second host of a control plane already running; unset, a new pair. */
  keyPair?: { privateKey: string; publicKey: string };
}

/** The columns of a Host row (and addHost's input) that reach this host over SSH. */
export interface AgentHostFields {
  address: string;
  sshPort: number;
  sshUser: string;
  hostKeyFingerprint: string;
}

export interface AgentHost {
  hostId: string;
  /** The daemon behind sshd: kill(), restart() it for the fault tests. */
  agent: AgentProcess;
  sshd: RunningSshd;
  address: string;
  port: number;
  user: string;
  /** The pinned host key, `SHA256:...`. */
  fingerprint: string;
  hostFields: AgentHostFields;
  /** The control plane's key pair: the private key for HostConnections, also written to keyFile (mode 0600). */
  privateKey: string;
  publicKey: string;
  keyFile: string;
  /** The authorized_keys line: the key may only run `<wrapper> dial-stdio` (give it to another startSshd for an impostor). */
  authorizedKey: string;
  /** What infra/install.sh puts on PATH as `bailey-agent`, pointed at this agent's socket. */
  wrapper: string;
  socketPath: string;
  dir: string;
  /** How many times sshd ran the forced command (each SSH session that reached the agent). */
  dials(): number;
  /** SIGKILLs every process serving an SSH session (sshd's children and what they run): the connection is cut; returns how many. */
  cutSshSessions(): number;
  /** Stops sshd and the agent, removes the agent's Docker resources and the directory made for them. */
  stop(): Promise<void>;
}

/**
 * A worker host the way production has one: a real bailey-agent daemon, the forced-command
 * wrapper install.sh writes, a key pair for the control plane restricted to
 * `bailey-agent dial-stdio`, and a real OpenSSH server on a loopback port.
 * Fails saying what to install when sshd or Docker (for the docker runtime) is missing.
 */
export async function startAgentHost(options: StartAgentHostOptions): Promise<AgentHost> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), "bailey-agent-host-")));
  if (ownDir) await chmod(dir, 0o755); // sshd's forced command runs as the login user and must enter it
  let agent: AgentProcess | undefined;
  let sshd: RunningSshd | undefined;
  try {
    // Keys first: without OpenSSH this fails at once, saying what to install.
    const key = options.keyPair ?? (await generateKeyPair(options.keyComment ?? "bailey-test"));
    agent = await startAgent({ ...options, dir });
    const dialLog = path.join(dir, `${options.hostId}-dials.log`);
    const wrapper = path.join(dir, "bailey-agent");
    // sshd starts the forced command in the user's home with a bare environment, so the
    // wrapper sets its socket and runs from the repository, where tsx resolves (or the bundle, as install.sh's does).
    const entry = options.bundle ? agentBundle : `--import tsx ${agentMain}`;
    await writeFile(wrapper, `#!/bin/sh\necho dial >> ${dialLog}\nexport BAILEY_AGENT_SOCKET=${agent.socketPath}\ncd ${repoRoot}\nexec ${process.execPath} ${entry} "$@"\n`, {
      mode: 0o755,
    });
    const keyFile = path.join(dir, `${options.hostId}-control-plane-key`);
    await writeFile(keyFile, key.privateKey, { mode: 0o600 });
    const authorizedKey = `restrict,command="${wrapper} dial-stdio" ${key.publicKey}`;
    sshd = await startSshd({ authorizedKeys: [authorizedKey], user: options.user });
    const running = { agent, sshd };
    return {
      hostId: options.hostId,
      agent,
      sshd,
      address: sshd.host,
      port: sshd.port,
      user: sshd.user,
      fingerprint: sshd.hostKeyFingerprint,
      hostFields: { address: sshd.host, sshPort: sshd.port, sshUser: sshd.user, hostKeyFingerprint: sshd.hostKeyFingerprint },
      privateKey: key.privateKey,
      publicKey: key.publicKey,
      keyFile,
      authorizedKey,
      wrapper,
      socketPath: agent.socketPath,
      dir,
      dials: () => (existsSync(dialLog) ? readFileSync(dialLog, "utf8").split("\n").filter(Boolean).length : 0),
      cutSshSessions: () => {
        let killed = 0;
        for (const pid of descendantsOf(running.sshd.pid)) {
          try {
            process.kill(pid, "SIGKILL");
            killed += 1;
          } catch {
            // gone already: its parent's death took it along
          }
        }
        return killed;
      },
      stop: async () => {
        await running.sshd.stop();
        await running.agent.stop();
        if (ownDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sshd?.stop();
    await agent?.stop();
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Every process descended from `pid`: the sshd serving a connection and what it runs. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}
