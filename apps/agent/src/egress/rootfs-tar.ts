import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";

// A minimal ustar writer: enough for an image's root filesystem (directories, regular files
// copied from the host or given inline), streamed so a 100 MiB node binary is never held in
// memory. Symbolic links on the host are followed: the image gets the file's contents.

export type RootfsEntry =
  | { kind: "directory"; path: string; mode?: number }
  | { kind: "host-file"; path: string; source: string; mode?: number }
  | { kind: "inline-file"; path: string; content: string | Buffer; mode?: number };

const block = 512;

/** The tarball of `entries`, in order; parents must come before their children. */
export function rootfsTar(entries: RootfsEntry[]): Readable {
  return Readable.from(tarBlocks(entries), { objectMode: false });
}

async function* tarBlocks(entries: RootfsEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    if (entry.kind === "directory") {
      yield header(`${entry.path.replace(/\/+$/, "")}/`, entry.mode ?? 0o755, 0, "5");
    } else if (entry.kind === "inline-file") {
      const content = Buffer.from(entry.content);
      yield header(entry.path, entry.mode ?? 0o644, content.length, "0");
      yield content;
      yield padding(content.length);
    } else {
      const info = await stat(entry.source);
      if (!info.isFile()) throw new Error(`Cannot put ${entry.source} in the image as ${entry.path}: it is not a regular file.`);
      yield header(entry.path, entry.mode ?? info.mode & 0o7777, info.size, "0");
      let written = 0;
      for await (const chunk of createReadStream(entry.source)) {
        written += (chunk as Buffer).length;
        if (written > info.size) break;
        yield chunk as Buffer;
      }
      // The header promised info.size bytes: a file that changed meanwhile would corrupt every later entry.
      if (written !== info.size) throw new Error(`${entry.source} changed size while it was being read (${info.size} then ${written} bytes); try again.`);
      yield padding(info.size);
    }
  }
  yield Buffer.alloc(block * 2);
}

function padding(size: number): Buffer {
  return Buffer.alloc((block - (size % block)) % block);
}

function header(entryPath: string, mode: number, size: number, type: "0" | "5"): Buffer {
  const { name, prefix } = splitName(entryPath.replace(/^\/+/, ""));
  const buffer = Buffer.alloc(block);
  buffer.write(name, 0, 100, "utf8");
  octal(buffer, mode, 100, 8);
  octal(buffer, 0, 108, 8); // uid root
  octal(buffer, 0, 116, 8); // gid root
  octal(buffer, size, 124, 12);
  octal(buffer, 0, 136, 12); // mtime: fixed, so the same inputs make the same tarball
  buffer.write(type, 156, 1, "ascii");
  buffer.write("ustar\u000000", 257, 8, "ascii");
  buffer.write("root", 265, 32, "ascii");
  buffer.write("root", 297, 32, "ascii");
  buffer.write(prefix, 345, 155, "utf8");
  // The checksum is taken with its own field as eight spaces.
  buffer.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of buffer) sum += byte;
  buffer.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return buffer;
}

function octal(buffer: Buffer, value: number, offset: number, length: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`${value} does not fit in a tar header field of ${length} bytes.`);
  buffer.write(`${digits.padStart(length - 1, "0")}\u0000`, offset, length, "ascii");
}

/** ustar keeps paths over 100 bytes as prefix/name, split at a slash. */
function splitName(entryPath: string): { name: string; prefix: string } {
  if (Buffer.byteLength(entryPath) <= 100) return { name: entryPath, prefix: "" };
  for (let slash = entryPath.indexOf("/"); slash !== -1; slash = entryPath.indexOf("/", slash + 1)) {
    const prefix = entryPath.slice(0, slash);
    const name = entryPath.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
  }
  throw new Error(`The path ${entryPath} is too long for a ustar archive (at most 155 + 100 bytes, split at a slash).`);
}
