import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * A run's secret values on the host live only on tmpfs (never the agent's state directory):
 * `<root>/<runId>/main/secrets/<name>`, bind-mounted read-only at /run/secrets in the main
 * container; `<root>/<runId>/proxy/` (the egress proxy's config: grants' values, token, CA key)
 * into the proxy only, and `main/ca.crt` + `main/ca-bundle.crt` at /run/bailey/ (egress-files.ts). The run's directory and its parents are root-only; inside the mount the files are
 * world-readable, so a container running as any user can read what it was given.
 */
export const defaultRunTmpfsRoot = runTmpfsRootFor(process.getuid?.());

/**
 * Root's agent uses /dev/shm/bailey; an agent running as another user (install.sh's `bailey`)
 * gets a root of its own, /dev/shm/bailey-<uid>: a root-only /dev/shm/bailey left by another
 * agent on the same machine would otherwise refuse it every secret file and every reconcile.
 */
export function runTmpfsRootFor(uid: number | undefined): string {
  return uid === undefined || uid === 0 ? "/dev/shm/bailey" : `/dev/shm/bailey-${uid}`;
}

export const runTmpfsDir = (root: string, runId: string) => path.join(root, runId);

/** Makes the run's empty directory (replacing a leftover of the same run), root-only, with `main/` in it. */
export async function prepareRunTmpfs(root: string, runId: string): Promise<string> {
  const runDir = runTmpfsDir(root, runId);
  await rm(runDir, { recursive: true, force: true });
  await mkdir(root, { recursive: true, mode: 0o700 });
  await mkdir(path.join(runDir, "main"), { recursive: true, mode: 0o700 });
  return runDir;
}

/** Writes the files into the prepared run directory and answers the directory to mount. */
export async function writeSecretFiles(root: string, runId: string, files: Record<string, string>): Promise<string> {
  const secretsDir = path.join(runTmpfsDir(root, runId), "main", "secrets");
  await mkdir(secretsDir, { mode: 0o755 });
  for (const [name, value] of Object.entries(files)) await writeFile(path.join(secretsDir, name), value, { mode: 0o444, flag: "wx" });
  return secretsDir;
}

/** Removes a run's directory; absent is fine. Answers whether there was one. */
export async function removeRunTmpfs(root: string, runId: string): Promise<boolean> {
  const runDir = runTmpfsDir(root, runId);
  const existed = await readdir(runDir).then(
    () => true,
    () => false,
  );
  await rm(runDir, { recursive: true, force: true });
  return existed;
}

/** The run IDs that have a directory under the root. */
export async function runsWithTmpfs(root: string): Promise<string[]> {
  try {
    return (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
