import { link, lstat, mkdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/** A build context the agent will not unpack; the message says what to change in the tar. */
export class UnsafeBuildContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeBuildContextError";
  }
}

const block = 512;

/**
 * Unpacks a build context tar (plain or gzip) into `dest`, refusing anything that could write
 * or point outside it: absolute paths, `..`, links leaving the context, device files and FIFOs.
 * `maxBytes` caps what it unpacks to (a small gzip can hold a huge file).
 */
export async function extractBuildContext(tarFile: string, dest: string, maxBytes: number): Promise<{ files: number; bytes: number }> {
  const raw = await readFile(tarFile);
  let tar: Buffer;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      tar = gunzipSync(raw, { maxOutputLength: maxBytes + 64 * block });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
        throw new UnsafeBuildContextError(`The build context unpacks to more than ${maxBytes} bytes, the most a context may hold; leave large files out of it (.dockerignore does not apply here).`);
      }
      throw new UnsafeBuildContextError(`The build context is not a valid gzip file (${(error as Error).message}); upload a tar or a tar.gz.`);
    }
  } else tar = raw;
  const root = await realpath(dest);
  let at = 0;
  let bytes = 0;
  let files = 0;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  const links: { name: string; target: string; linkName: string }[] = [];
  while (at + block <= tar.length) {
    const header = tar.subarray(at, at + block);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumMatches(header)) throw new UnsafeBuildContextError(`The build context is not a valid tar (bad header checksum at byte ${at}); upload a tar or a tar.gz.`);
    const type = header[156] ? String.fromCharCode(header[156]) : "0";
    const size = pax.size !== undefined ? Number(pax.size) : readNumber(header.subarray(124, 136));
    const data = tar.subarray(at + block, at + block + size);
    if (data.length < size) throw new UnsafeBuildContextError("The build context tar ends in the middle of a file; upload the whole tar.");
    at += block + Math.ceil(size / block) * block;
    if (type === "x") {
      pax = parsePax(data);
      continue;
    }
    if (type === "g") continue;
    if (type === "L" || type === "K") {
      const value = data.toString("utf8").replace(/\0.*$/s, "");
      if (type === "L") longName = value;
      else longLink = value;
      continue;
    }
    const prefix = readString(header.subarray(345, 500));
    const name = pax.path ?? longName ?? (header.subarray(257, 262).toString() === "ustar" && prefix ? `${prefix}/${readString(header.subarray(0, 100))}` : readString(header.subarray(0, 100)));
    const linkName = pax.linkpath ?? longLink ?? readString(header.subarray(157, 257));
    const mode = readNumber(header.subarray(100, 108)) & 0o777;
    pax = {};
    longName = null;
    longLink = null;

    const relative = safeRelative(name);
    if (relative === null) continue;
    const target = path.join(root, relative);
    if (type === "3" || type === "4" || type === "6") {
      throw new UnsafeBuildContextError(`The build context holds ${type === "6" ? "a FIFO" : "a device file"} (${name}); a context may hold only files, directories and links inside it.`);
    }
    if (!["0", "7", "5", "2", "1"].includes(type)) {
      throw new UnsafeBuildContextError(`The build context holds ${name} of tar type '${type}', which the agent does not unpack; make the tar with plain files, directories and links.`);
    }
    await insideRoot(root, path.dirname(target), name);
    if (type === "5") {
      await mkdir(target, { recursive: true, mode: 0o755 });
      continue;
    }
    // Whatever was there (a link from an earlier entry, say) goes: nothing is written through it.
    if (!(await lstat(target).catch(() => null))?.isDirectory()) await rm(target, { force: true });
    if (type === "2") {
      const pointsTo = path.resolve(path.dirname(target), linkName);
      if (path.isAbsolute(linkName) || (pointsTo !== root && !pointsTo.startsWith(root + path.sep))) {
        throw new UnsafeBuildContextError(`The build context's link ${name} points to ${linkName}, outside the context; links must stay inside it (use a relative target).`);
      }
      await symlink(linkName, target);
      links.push({ name, target, linkName });
    } else if (type === "1") {
      const source = safeRelative(linkName);
      if (source === null) throw new UnsafeBuildContextError(`The build context's hard link ${name} points to ${linkName}, outside the context; links must stay inside it.`);
      await insideRoot(root, path.dirname(path.join(root, source)), linkName);
      await link(path.join(root, source), target);
    } else {
      bytes += size;
      if (bytes > maxBytes) {
        throw new UnsafeBuildContextError(`The build context unpacks to more than ${maxBytes} bytes, the most a context may hold; leave large files out of it.`);
      }
      await writeFile(target, data, { mode: mode | 0o400, flag: "wx" });
      files += 1;
    }
  }
  // Followed through other links (b -> ., c -> b/..), a link can leave the context where its text alone does not.
  for (const { name, target, linkName } of links) {
    const resolved = await realpath(target).catch(() => null);
    if (resolved && resolved !== root && !resolved.startsWith(root + path.sep)) {
      throw new UnsafeBuildContextError(`The build context's link ${name} (to ${linkName}) leads outside the context through another link; links must stay inside it.`);
    }
  }
  return { files, bytes };
}

/** The entry's path inside the context, or null for the context's root itself; refuses absolute paths and `..`. */
function safeRelative(name: string): string | null {
  if (name.includes("\0")) throw new UnsafeBuildContextError(`The build context holds a path with a NUL byte (${JSON.stringify(name)}).`);
  if (name.startsWith("/")) throw new UnsafeBuildContextError(`The build context holds an absolute path (${name}); make the tar from inside the context directory (tar -C dir -cf context.tar .).`);
  if (name.split("/").includes("..")) throw new UnsafeBuildContextError(`The build context holds a path with '..' (${name}); every path must stay inside the context.`);
  const normalized = path.posix.normalize(name).replace(/\/+$/, "");
  return normalized === "." || normalized === "" ? null : normalized;
}

/** The directory an entry goes in exists and, links followed, is inside the context. */
async function insideRoot(root: string, dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const real = await realpath(dir);
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new UnsafeBuildContextError(`The build context's entry ${name} would be written through a link to outside the context; links must stay inside it.`);
  }
}

function readString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString("utf8");
}

/** Octal, or base-256 (GNU) when the high bit is set. */
function readNumber(field: Buffer): number {
  if ((field[0] as number) & 0x80) {
    let value = (field[0] as number) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = readString(field).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let index = 0; index < block; index++) sum += index >= 148 && index < 156 ? 0x20 : (header[index] as number);
  return sum === readNumber(header.subarray(148, 156));
}

/** PAX records: "<length> <key>=<value>\n". */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(at, space).toString(), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, at + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}
