import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";

/** The most build output kept per run. */
export const maxBuildLogBytes = 16 * 1024 * 1024;

/**
 * A run's build output, one file per run in the agent's state directory
 * (`build-logs/<runId>.log`): the run's container does not exist yet while it builds, and a
 * run whose build failed never has one, so `run.logs` reads this before the container's output.
 */
export class BuildLogs {
  constructor(
    readonly dir: string,
    private readonly maxBytes = maxBuildLogBytes,
  ) {}

  static inStateDir(stateDir: string): BuildLogs {
    return new BuildLogs(path.join(stateDir, "build-logs"));
  }

  fileOf(runId: string): string {
    return path.join(this.dir, `${runId}.log`);
  }

  /**
   * An appender for one run's build; synchronous, so lines land in the order the builder printed
   * them. A build that prints without end stops being logged at maxBuildLogBytes, and says so.
   */
  writer(runId: string): (line: string) => void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(runId);
    let written = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    return (line) => {
      if (written >= this.maxBytes) return;
      const text = Buffer.from(`${line}\n`);
      written += text.length;
      appendFileSync(file, written < this.maxBytes ? text : `[build output past ${this.maxBytes} bytes is not kept]\n`, { mode: 0o600 });
    };
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
