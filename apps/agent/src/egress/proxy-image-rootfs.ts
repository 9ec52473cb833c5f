import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { externalizedBuiltinsOf } from "./node-builtin-files";
import type { RootfsEntry } from "./rootfs-tar";

// What the egress proxy's image holds: the host's own node, the libraries it loads (and the
// builtins Debian's node keeps beside them), the agent bundle, and the few files glibc reads to
// resolve names. No shell. The host's CA bundle comes along where it has one: Debian's node loads
// it as extra CAs at start (and warns without it); the proxy itself trusts node's built-in roots
// plus any extra CA file it is given.

export const imageNodePath = "/usr/local/bin/node";
export const imageBundlePath = "/bailey/bailey-agent.cjs";
export const imagePath = "/usr/local/bin:/usr/bin:/bin";

// Before glibc 2.34 name lookups dlopen these, so ldd does not list them; 2.34 and later keep
// stubs of them, which cost nothing to carry.
const nssLibraries = ["libnss_dns.so.2", "libnss_files.so.2", "libresolv.so.2"];
const hostCaBundle = "/etc/ssl/certs/ca-certificates.crt";

const run = promisify(execFile);

/** The shared libraries `binary` loads (and its dynamic loader), as absolute host paths, from ldd. */
export async function sharedLibrariesOf(binary: string): Promise<string[]> {
  let output: string;
  try {
    output = (await run("ldd", [binary], { encoding: "utf8" })).stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === "ENOENT")
      throw new Error("ldd is not installed, so the egress proxy image cannot list node's libraries: install it (apt-get install libc-bin, or your distribution's glibc tools).");
    // A static binary: ldd says so and exits 1; it needs nothing.
    if (/not a dynamic executable|statically linked/.test(`${failure.stdout ?? ""}${failure.stderr ?? ""}`)) return [];
    throw new Error(`ldd ${binary} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
  return parseLdd(output, binary);
}

export function parseLdd(output: string, binary: string): string[] {
  const libraries = new Set<string>();
  for (const line of output.split("\n").map((text) => text.trim())) {
    if (!line || /statically linked/.test(line)) continue;
    if (/=>\s*not found/.test(line)) throw new Error(`${binary} needs ${line.split(/\s/)[0]}, which the host does not have (ldd: ${line}); reinstall node.`);
    const resolved = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^(\/\S+)/.exec(line)?.[1];
    // linux-vdso.so.1 lives in the kernel, not on disk.
    if (resolved) libraries.add(resolved);
  }
  return [...libraries];
}

/** The image's files, parents first. */
export async function egressProxyRootfs(options: { nodePath: string; bundlePath: string }): Promise<RootfsEntry[]> {
  const libraries = await sharedLibrariesOf(options.nodePath);
  const libc = libraries.find((library) => path.basename(library).startsWith("libc.so"));
  if (libc) {
    for (const name of nssLibraries) {
      const candidate = path.join(path.dirname(libc), name);
      if (!libraries.includes(candidate) && existsSync(candidate)) libraries.push(candidate);
    }
  }
  const builtins = await externalizedBuiltinsOf([options.nodePath, ...libraries.filter((library) => path.basename(library).startsWith("libnode"))]);
  const files: RootfsEntry[] = [
    { kind: "host-file", path: imageNodePath, source: options.nodePath, mode: 0o755 },
    { kind: "host-file", path: imageBundlePath, source: options.bundlePath, mode: 0o644 },
    ...libraries.map((library): RootfsEntry => ({ kind: "host-file", path: library, source: library, mode: 0o755 })),
    ...builtins.map((script): RootfsEntry => ({ kind: "host-file", path: script, source: script, mode: 0o644 })),
    ...(existsSync(hostCaBundle) ? [{ kind: "host-file", path: hostCaBundle, source: hostCaBundle, mode: 0o644 } as const] : []),
    // Docker and Podman mount /etc/hosts and /etc/resolv.conf; glibc still needs to be told to read them.
    { kind: "inline-file", path: "/etc/nsswitch.conf", content: "hosts: files dns\n" },
    { kind: "inline-file", path: "/etc/passwd", content: "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" },
    { kind: "inline-file", path: "/etc/group", content: "root:x:0:\nnogroup:x:65534:\n" },
  ];
  const directories = new Set<string>(["/tmp", "/root"]);
  for (const file of files) {
    for (let dir = path.posix.dirname(file.path); dir !== "/"; dir = path.posix.dirname(dir)) directories.add(dir);
  }
  const sorted = [...directories].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
  return [...sorted.map((dir): RootfsEntry => ({ kind: "directory", path: dir, mode: dir === "/tmp" ? 0o1777 : 0o755 })), ...files];
}
