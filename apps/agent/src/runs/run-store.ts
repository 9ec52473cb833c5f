import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../journal/atomic-write";
import type { RunRecord } from "./run-record";

/** One JSON file per run, replaced atomically, so a restarted agent knows its runs. */
export class RunStore {
  private constructor(private readonly dir: string) {}

  static async open(stateDir: string): Promise<RunStore> {
    const dir = path.join(stateDir, "runs");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new RunStore(dir);
  }

  async save(record: RunRecord): Promise<void> {
    await writeFileAtomic(path.join(this.dir, `${record.runId}.json`), JSON.stringify(record));
  }

  async load(runId: string): Promise<RunRecord | null> {
    const text = await readFile(path.join(this.dir, `${runId}.json`), "utf8").catch(() => null);
    return text ? (JSON.parse(text) as RunRecord) : null;
  }

  async loadAll(): Promise<RunRecord[]> {
    const files = (await readdir(this.dir)).filter((name) => name.endsWith(".json"));
    return Promise.all(files.map(async (name) => JSON.parse(await readFile(path.join(this.dir, name), "utf8")) as RunRecord));
  }

  async delete(runId: string): Promise<void> {
    await rm(path.join(this.dir, `${runId}.json`), { force: true });
  }
}
