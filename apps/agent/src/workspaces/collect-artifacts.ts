import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { maxArtifactFileBytes, maxArtifactFiles, maxArtifactsTotalBytes } from "@bailey/protocol";
import { ArtifactGlob } from "./artifact-glob";

export interface ArtifactCaps {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const protocolArtifactCaps: ArtifactCaps = { maxFiles: maxArtifactFiles, maxFileBytes: maxArtifactFileBytes, maxTotalBytes: maxArtifactsTotalBytes };

/** The most left-out files named one by one; past it they are counted in one entry. */
export const maxListedMissing = 100;

export interface CollectedFile {
  /** `artifacts/<path relative to the workspace>`. */
  name: string;
  sizeBytes: number;
  sha256: string;
}

export interface Missing {
  name: string;
  reason: string;
}

/**
 * Copies the workspace's regular files that match the globs to `<destDir>/<relative path>`. The
 * workspace was the run's to shape: it is walked with lstat (a symlink is never followed, to a
 * file or a directory), and each file is opened with O_NOFOLLOW and checked again on its
 * descriptor. Past a cap the file is left out and said so.
 */
export async function collectArtifacts(options: { workspace: string; globs: readonly string[]; destDir: string; caps?: ArtifactCaps }): Promise<{ files: CollectedFile[]; missing: Missing[] }> {
  const caps = options.caps ?? protocolArtifactCaps;
  const globs = options.globs.map((source) => new ArtifactGlob(source));
  const files: CollectedFile[] = [];
  const missing: Missing[] = [];
  const matched = new Set<ArtifactGlob>();
  let totalBytes = 0;
  let unlisted = 0;
  // A run that writes a million matching links would otherwise make a manifest (and a journal event) of a million reasons.
  const leaveOut = (entry: Missing) => {
    if (missing.length < maxListedMissing) missing.push(entry);
    else unlisted++;
  };
  const narrow = (glob: ArtifactGlob) => `narrow spec.artifacts' ${JSON.stringify(glob.source)} so it matches fewer files, or have the run write fewer`;

  const visit = async (relative: string[]): Promise<void> => {
    const entries = await readdir(path.join(options.workspace, ...relative), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const at = [...relative, entry.name];
      // The repository's own files are never artifacts (the diff and the bundle carry what matters of them).
      if (at.length === 1 && entry.name === ".git") continue;
      if (entry.isDirectory()) {
        if (globs.some((glob) => glob.mayMatchBelow(at))) await visit(at);
        continue;
      }
      const glob = globs.find((candidate) => candidate.matches(at));
      if (!glob) continue;
      matched.add(glob);
      const name = `artifacts/${at.join("/")}`;
      if (!entry.isFile()) {
        leaveOut({ name, reason: `${entry.isSymbolicLink() ? "a symbolic link" : "not a regular file"}; artifacts are regular files only, and links are never followed` });
        continue;
      }
      if (files.length >= caps.maxFiles) {
        leaveOut({ name, reason: `left out: a run keeps at most ${caps.maxFiles} artifact files; ${narrow(glob)}` });
        continue;
      }
      const copied = await copyArtifact(path.join(options.workspace, ...at), path.join(options.destDir, ...at), caps, totalBytes, glob, narrow);
      if ("reason" in copied) leaveOut({ name, reason: copied.reason });
      else {
        files.push({ name, sizeBytes: copied.sizeBytes, sha256: copied.sha256 });
        totalBytes += copied.sizeBytes;
      }
    }
  };
  await visit([]);
  if (unlisted) missing.push({ name: "artifacts", reason: `${unlisted} more matching files were left out as well (links, past a cap, or unreadable); only the first ${maxListedMissing} are named` });
  for (const glob of globs) if (!matched.has(glob)) missing.push({ name: glob.source, reason: "no file in the workspace matches this artifact glob" });
  return { files, missing };
}

async function copyArtifact(
  source: string,
  target: string,
  caps: ArtifactCaps,
  totalBytes: number,
  glob: ArtifactGlob,
  narrow: (glob: ArtifactGlob) => string,
): Promise<{ sizeBytes: number; sha256: string } | { reason: string }> {
  const handle = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => error);
  if (handle instanceof Error) return { reason: handle.code === "ELOOP" ? "a symbolic link; links are never followed" : `cannot be read (${handle.code ?? handle.message})` };
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { reason: "not a regular file; artifacts are regular files only" };
    if (info.size > caps.maxFileBytes) return { reason: `left out: ${info.size} bytes is over the cap of ${caps.maxFileBytes} bytes per artifact file; ${narrow(glob)}` };
    if (totalBytes + info.size > caps.maxTotalBytes) return { reason: `left out: it would take the run's artifacts over the cap of ${caps.maxTotalBytes} bytes in all; ${narrow(glob)}` };
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const hash = createHash("sha256");
    let sizeBytes = 0;
    // At most the size seen now: a file that grows (a process the run left behind) is cut at its cap-checked length.
    const output = createWriteStream(target, { mode: 0o600, flags: "wx" });
    if (info.size === 0) await new Promise((resolve, reject) => output.once("error", reject).end(resolve));
    else {
      const input = createReadStream("", { fd: handle.fd, autoClose: false, start: 0, end: info.size - 1 });
      input.on("data", (chunk) => {
        hash.update(chunk as Buffer);
        sizeBytes += (chunk as Buffer).length;
      });
      await pipeline(input, output);
    }
    return { sizeBytes, sha256: hash.digest("hex") };
  } finally {
    await handle.close();
  }
}
