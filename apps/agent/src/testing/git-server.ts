import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** A real `git daemon` on loopback serving bare repositories (push enabled), for workspace tests. */
export interface GitServer {
  /** The directory the daemon serves (its --base-path). */
  readonly baseDir: string;
  readonly port: number;
  /** git://127.0.0.1:<port>/<name>.git */
  url(name: string): string;
  /** A bare repository `<name>.git` with one commit per entry of `commits` (each a set of files), on branch main; answers the commits' SHAs, oldest first. */
  createRepository(name: string, commits?: Record<string, string>[]): Promise<{ dir: string; commits: string[] }>;
  /** `git <args>` in the bare repository (rev-parse, cat-file...), stdout. */
  git(name: string, args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const authorEnv = { GIT_AUTHOR_NAME: "Bailey Test", GIT_AUTHOR_EMAIL: "test@bailey.invalid", GIT_COMMITTER_NAME: "Bailey Test", GIT_COMMITTER_EMAIL: "test@bailey.invalid" };

/** git with the test's author and no user or system config. */
export function gitIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  // Cast: bench/ type-checks under the root project, whose Next types make NODE_ENV a required key of ProcessEnv.
  const childEnv: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...authorEnv, ...env };
  return new Promise((resolve, reject) =>
    execFile("git", args, { cwd, env: childEnv as NodeJS.ProcessEnv, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(" ")} in ${cwd} failed: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );
}

const defaultCommits: Record<string, string>[] = [
  { "README.md": "# Test repository\n", "src/app.txt": "version 1\n" },
  { "src/app.txt": "version 2\n", "docs/guide.md": "Guide\n" },
  { "src/app.txt": "version 3\nsecond line\n" },
];

/** A bare repository `<baseDir>/<name>.git` with one commit per entry of `commits` on branch main; answers its directory and the commits' SHAs, oldest first. */
export async function createBareRepository(baseDir: string, name: string, commits: Record<string, string>[] = defaultCommits): Promise<{ dir: string; commits: string[] }> {
  const dir = path.join(baseDir, `${name}.git`);
  const work = await mkdtemp(path.join(tmpdir(), "bailey-git-work-"));
  try {
    await gitIn(work, ["init", "--quiet", "--initial-branch=main"]);
    const shas: string[] = [];
    for (const [index, files] of commits.entries()) {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), content);
      }
      await gitIn(work, ["add", "--all"]);
      await gitIn(work, ["commit", "--quiet", "-m", `commit ${index + 1}`]);
      shas.push((await gitIn(work, ["rev-parse", "HEAD"])).trim());
    }
    await gitIn(baseDir, ["clone", "--quiet", "--bare", work, dir]);
    return { dir, commits: shas };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function startGitServer(): Promise<GitServer> {
  await gitIn(tmpdir(), ["--version"]).catch(() => {
    throw new Error("git is not installed on this machine: apt-get install -y git (the workspace tests run git daemon and the agent clones with git)");
  });
  const baseDir = await mkdtemp(path.join(tmpdir(), "bailey-git-server-"));
  const port = await freePort();
  const daemonEnv: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: baseDir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  const daemon: ChildProcess = spawn("git", ["daemon", "--export-all", "--enable=receive-pack", "--reuseaddr", `--base-path=${baseDir}`, "--listen=127.0.0.1", `--port=${port}`, baseDir], {
    stdio: ["ignore", "ignore", "pipe"],
    env: daemonEnv as NodeJS.ProcessEnv,
  });
  let stderr = "";
  daemon.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  try {
    await waitForPort(port, daemon, () => stderr);
  } catch (error) {
    daemon.kill("SIGKILL");
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
  return {
    baseDir,
    port,
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    createRepository: (name, commits) => createBareRepository(baseDir, name, commits),
    git: (name, args) => gitIn(path.join(baseDir, `${name}.git`), args),
    stop: async () => {
      if (daemon.exitCode === null && daemon.signalCode === null) {
        const exited = new Promise((resolve) => daemon.once("exit", resolve));
        daemon.kill("SIGTERM");
        await exited;
      }
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, daemon: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (daemon.exitCode !== null) throw new Error(`git daemon exited at start (code ${daemon.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`git daemon did not listen on 127.0.0.1:${port} within 5 s: ${output()}`);
}
