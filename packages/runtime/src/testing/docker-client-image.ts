// A local image with a Docker client in it, for docker:host tests (no public registry here):
// busybox as the rootfs, plus the host's own `docker` binary and the libraries ldd lists.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DockerRuntime } from "../drivers/docker/runtime";

export const dockerClientImage = "bailey-test/docker-cli:latest";
export const podmanDockerClientImage = "localhost/bailey-test/docker-cli:latest";
const dockerBinary = "/usr/bin/docker";
const busybox = "/bin/busybox";

/** Imports dockerClientImage into Docker unless it is there; fails saying what to install. */
export async function ensureDockerClientImage(runtime: DockerRuntime): Promise<string> {
  if (await runtime.imageExists(dockerClientImage)) return dockerClientImage;
  if (!existsSync(dockerBinary)) throw new Error(`The docker:host tests copy the host's Docker client into an image, and ${dockerBinary} is missing: apt-get install -y docker.io.`);
  if (!existsSync(busybox)) throw new Error(`The docker:host tests need ${busybox} as the image's shell: apt-get install -y busybox-static.`);
  const root = mkdtempSync(path.join(tmpdir(), "bailey-docker-cli-"));
  try {
    for (const dir of ["bin", "usr/bin", "tmp", "etc", "proc", "sys", "dev", "var/run"]) mkdirSync(path.join(root, dir), { recursive: true });
    copyFileSync(busybox, path.join(root, "bin/busybox"));
    for (const applet of execFileSync(busybox, ["--list"], { encoding: "utf8" })
      .split("\n")
      .filter((name) => name && name !== "busybox")) {
      symlinkSync("busybox", path.join(root, "bin", applet));
    }
    copyFileSync(dockerBinary, path.join(root, "usr/bin/docker"));
    for (const library of librariesOf(dockerBinary)) {
      mkdirSync(path.join(root, path.dirname(library)), { recursive: true });
      copyFileSync(library, path.join(root, library));
    }
    const tar = spawn("tar", ["-C", root, "-c", ...readdirSync(root)], { stdio: ["ignore", "pipe", "inherit"] });
    await runtime.importImage(tar.stdout, dockerClientImage, { env: { PATH: "/usr/bin:/bin" } });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return dockerClientImage;
}

/** The same image in Podman's store (copied from Docker's). */
export async function ensurePodmanDockerClientImage(docker: DockerRuntime): Promise<string> {
  if (spawnSync("podman", ["image", "exists", podmanDockerClientImage]).status === 0) return podmanDockerClientImage;
  await ensureDockerClientImage(docker);
  const load = spawnSync("sh", ["-c", `docker save ${dockerClientImage} | podman load`], { encoding: "utf8" });
  if (load.status !== 0) throw new Error(`Could not copy ${dockerClientImage} into Podman: ${load.stderr}`);
  return podmanDockerClientImage;
}

function librariesOf(binary: string): string[] {
  const output = spawnSync("ldd", [binary], { encoding: "utf8" });
  if (output.error) throw new Error(`ldd is not installed, so ${binary}'s libraries cannot be listed: apt-get install -y libc-bin.`);
  if (/not a dynamic executable|statically linked/.test(`${output.stdout}${output.stderr}`)) return [];
  return output.stdout
    .split("\n")
    .map((line) => /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1])
    .filter((library): library is string => Boolean(library));
}
