import path from "node:path";
import { DockerRuntime, type Runtime } from "@bailey/runtime";

// Reads one file out of a created (not necessarily started) container, through the engine's
// archive endpoint (Docker and Podman both serve it): the image's own CA bundle, which a strict
// run's bundle starts with. Only regular files, following a few symlinks (Alpine and Debian keep
// their bundles under links); anything else answers null.

const maxFileBytes = 8 * 1024 * 1024;
const maxLinks = 5;

export async function readContainerFile(runtime: Runtime, containerId: string, file: string): Promise<Buffer | null> {
  if (!(runtime instanceof DockerRuntime)) return null;
  let wanted = file;
  for (let hop = 0; hop <= maxLinks; hop++) {
    const archive = await fetchArchive(runtime, containerId, wanted);
    if (!archive) return null;
    const entry = firstTarEntry(archive);
    if (!entry) return null;
    if (entry.kind === "file") return entry.content;
    if (entry.kind !== "symlink") return null;
    wanted = path.posix.resolve(path.posix.dirname(wanted), entry.target);
  }
  return null;
}

async function fetchArchive(runtime: DockerRuntime, containerId: string, file: string): Promise<Buffer | null> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await runtime.engine.getContainer(containerId).getArchive({ path: file });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // A bundle is a few hundred KiB; a larger file is not one, and is not read into memory.
    if (size > maxFileBytes + 64 * 1024) {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

type TarEntry = { kind: "file"; content: Buffer } | { kind: "symlink"; target: string } | { kind: "other" };

/** The first real entry of a ustar/PAX archive (PAX headers are skipped; a PAX linkpath wins over the header's). */
export function firstTarEntry(archive: Buffer): TarEntry | null {
  let offset = 0;
  let paxLinkPath: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return null;
    const size = Number.parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x" || type === "g") {
      if (type === "x") paxLinkPath = paxRecord(body, "linkpath");
      continue;
    }
    if (type === "0" || type === "\0") return body.length === size ? { kind: "file", content: Buffer.from(body) } : null;
    if (type === "2") return { kind: "symlink", target: paxLinkPath ?? text(header, 157, 100) };
    return { kind: "other" };
  }
  return null;
}

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString("utf8");
}

function paxRecord(body: Buffer, key: string): string | undefined {
  for (const line of body.toString("utf8").split("\n")) {
    const match = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (match?.[1] === key) return match[2];
  }
  return undefined;
}
