import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Where git (and ssh, for ssh remotes) is looked for: the system's directories, not whatever PATH the agent was started with. */
export const gitSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How long one git command may take (a clone of a large repository over a slow link included). */
export const defaultGitTimeoutMs = 15 * 60_000;

/**
 * `-c` settings on every git the agent runs. A repository's own config, hooks, attributes and
 * fsmonitor are code its author (or, after a run, the run's agent) chose: none of them may run on
 * the host. `protocol.file.allow=never` keeps a remote (or a submodule) from reading host paths.
 */
export const hardenedGitSettings = [
  "protocol.file.allow=never",
  "protocol.ext.allow=never",
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.attributesFile=/dev/null",
  "core.askPass=",
  "credential.helper=",
  "safe.directory=*",
] as const;

export interface GitCommandOptions {
  args: string[];
  cwd?: string;
  /** More environment: GIT_INDEX_FILE, GIT_SSH_COMMAND, and credentials as GIT_CONFIG_* entries (never in argv, which any host user can read in /proc). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Each line git prints on stderr, with `redact` values replaced. */
  log?: (line: string) => void;
  /** Values that must never appear in a message or a log line (a grant's header, a key). */
  redact?: readonly string[];
}

export class GitCommandError extends Error {
  override name = "GitCommandError";
  constructor(
    message: string,
    /** git's own stderr, redacted. */
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/**
 * Runs the host's git with an environment of its own: no system or global config, an empty HOME,
 * no terminal prompt, the hardened settings above, and a timeout. Answers stdout.
 */
export async function runGit(options: GitCommandOptions): Promise<Buffer> {
  const home = await mkdtemp(path.join(tmpdir(), "bailey-git-home-"));
  try {
    return await spawnGit(options, home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function spawnGit(options: GitCommandOptions, home: string): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? defaultGitTimeoutMs;
  const redact = (text: string) => (options.redact ?? []).filter((value) => value.length > 0).reduce((out, value) => out.split(value).join("[redacted]"), text);
  const env: Record<string, string> = {
    PATH: gitSearchPath,
    HOME: home,
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    ...options.env,
  };
  const args = [...hardenedGitSettings.flatMap((setting) => ["-c", setting]), ...options.args];
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stderr = "";
    let pending = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (stderr.length < 64 * 1024) stderr += text;
      pending += text;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) options.log?.(redact(line));
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new GitCommandError(error.code === "ENOENT" ? "git is not installed on this host (apt-get install -y git, or dnf install -y git)" : `git could not be started: ${error.message}`, "", null),
      );
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (pending.trim()) options.log?.(redact(pending));
      const message = redact(stderr.trim());
      if (timedOut) return reject(new GitCommandError(`git ${options.args[0]} did not finish within ${Math.round(timeoutMs / 1000)} s`, message, null));
      if (code !== 0) return reject(new GitCommandError(message || `git ${options.args[0]} exited with code ${code}`, message, code));
      resolve(Buffer.concat(stdout));
    });
  });
}
