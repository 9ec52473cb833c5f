import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { maxBuildContextChunkBytes, RpcError, rpcErrorCodes } from "@bailey/protocol";

export interface ContextChunk {
  sha256: string;
  sizeBytes: number;
  offset: number;
  /** Base64. */
  data: string;
}

/** Contexts no run uses go after this long (the control plane puts one just before run.create). */
export const unusedContextMaxAgeMs = 24 * 60 * 60 * 1000;

/**
 * Build contexts on this host, named by their SHA-256: `<sha256>.tar` once complete and
 * checked, `<sha256>.partial` while chunks arrive. Puts of one context are serialized.
 */
export class BuildContextStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  static inStateDir(stateDir: string): BuildContextStore {
    return new BuildContextStore(path.join(stateDir, "build-contexts"));
  }

  /** The complete context's file, or null when this host does not hold it. */
  async pathOf(sha256: string): Promise<string | null> {
    const file = this.completeFile(sha256);
    return (await stat(file).catch(() => null)) ? file : null;
  }

  put(chunk: ContextChunk): Promise<{ receivedBytes: number; complete: boolean }> {
    return this.exclusive(chunk.sha256, () => this.putNow(chunk));
  }

  private async putNow({ sha256, sizeBytes, offset, data }: ContextChunk): Promise<{ receivedBytes: number; complete: boolean }> {
    const complete = this.completeFile(sha256);
    const held = await stat(complete).catch(() => null);
    if (held) {
      // Asked again shortly before a run uses it: it counts as fresh for pruning.
      const now = new Date();
      await utimes(complete, now, now).catch(() => undefined);
      return { receivedBytes: held.size, complete: true };
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const partial = this.partialFile(sha256);
    const receivedBytes = (await stat(partial).catch(() => null))?.size ?? 0;
    // A resent or out-of-order chunk is not written: the answer says where to go on.
    if (offset !== receivedBytes) return { receivedBytes, complete: false };
    const bytes = Buffer.from(data, "base64");
    if (bytes.length > maxBuildContextChunkBytes) {
      throw new RpcError(rpcErrorCodes.invalidParams, `A build.context.put chunk carries ${bytes.length} bytes, more than ${maxBuildContextChunkBytes}; send smaller chunks.`);
    }
    if (receivedBytes + bytes.length > sizeBytes) {
      throw new RpcError(
        rpcErrorCodes.invalidParams,
        `This chunk of build context ${sha256} ends at byte ${receivedBytes + bytes.length}, past its sizeBytes ${sizeBytes}; the host keeps the ${receivedBytes} bytes it has, go on from there.`,
        { receivedBytes },
      );
    }
    if (bytes.length) await appendFile(partial, bytes, { mode: 0o600 });
    const now = receivedBytes + bytes.length;
    if (now < sizeBytes) return { receivedBytes: now, complete: false };
    const actual = await sha256Of(partial);
    if (actual !== sha256) {
      await rm(partial, { force: true });
      throw new RpcError(
        rpcErrorCodes.invalidParams,
        `The ${sizeBytes} bytes received for build context ${sha256} have SHA-256 ${actual}; the host discarded them. Upload the context again from offset 0 (check that sha256 is of the tar's exact bytes).`,
        { receivedBytes: 0, actualSha256: actual },
      );
    }
    await rename(partial, complete);
    return { receivedBytes: sizeBytes, complete: true };
  }

  async remove(sha256: string): Promise<boolean> {
    const file = await this.pathOf(sha256);
    await rm(this.partialFile(sha256), { force: true });
    if (!file) return false;
    await rm(file, { force: true });
    return true;
  }

  /** Removes contexts (and partial uploads) that no run uses and nothing touched for `maxAgeMs`; answers their names. */
  async prune(inUse: ReadonlySet<string>, maxAgeMs = unusedContextMaxAgeMs): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const sha256 = name.replace(/\.(tar|partial)$/, "");
      if (inUse.has(sha256)) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => null);
      if (!info || Date.now() - info.mtimeMs < maxAgeMs) continue;
      await this.exclusive(sha256, () => rm(file, { force: true }));
      removed.push(name);
    }
    return removed;
  }

  private completeFile(sha256: string): string {
    return path.join(this.dir, `${sha256}.tar`);
  }

  private partialFile(sha256: string): string {
    return path.join(this.dir, `${sha256}.partial`);
  }

  private exclusive<T>(sha256: string, step: () => Promise<T>): Promise<T> {
    const next = (this.locks.get(sha256) ?? Promise.resolve()).then(step, step);
    const settled = next.catch(() => undefined);
    this.locks.set(sha256, settled);
    void settled.then(() => {
      if (this.locks.get(sha256) === settled) this.locks.delete(sha256);
    });
    return next;
  }
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
