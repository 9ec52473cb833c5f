import { appendFileSync, mkdirSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";

/**
 * A run's build output, one file per run in the agent's state directory
 * (`build-logs/<runId>.log`): the run's container does not exist yet while it builds, and a
 * run whose build failed never has one, so `run.logs` reads this before the container's output.
 */
export class BuildLogs {
  constructor(readonly dir: string) {}

  static inStateDir(stateDir: string): BuildLogs {
    return new BuildLogs(path.join(stateDir, "build-logs"));
  }

  fileOf(runId: string): string {
    return path.join(this.dir, `${runId}.log`);
  }

  /** An appender for one run's build; synchronous, so lines land in the order the builder printed them. */
  writer(runId: string): (line: string) => void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(runId);
    return (line) => appendFileSync(file, `${line}\n`, { mode: 0o600 });
  }

  async read(runId: string): Promise<Buffer | null> {
    return readFile(this.fileOf(runId)).catch(() => null);
  }

  async remove(runId: string): Promise<boolean> {
    const existed = (await this.read(runId)) !== null;
    await rm(this.fileOf(runId), { force: true });
    return existed;
  }

  async runIds(): Promise<string[]> {
    return (await readdir(this.dir).catch(() => [] as string[])).filter((name) => name.endsWith(".log")).map((name) => name.slice(0, -".log".length));
  }
}
