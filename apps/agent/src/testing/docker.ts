import { fileURLToPath } from "node:url";
import Docker from "dockerode";

export const dockerSocket = "/var/run/docker.sock";
/** The local stand-in for moby/buildkit (which cannot be pulled on the test machine), built by ensureStandinImage(). */
export const standinImage = "bailey-test/buildkit-standin:latest";
export const docker = new Docker({ socketPath: dockerSocket });

const setupHint = "install and start it with infra/ci/setup-test-host.sh as root (npm test does: it installs docker.io, runsc and openssh-server)";

/** Throws, saying what to install, unless a Docker engine answers on its socket. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`This test needs a running Docker engine at ${dockerSocket} (${(error as Error).message}): ${setupHint}.`);
  }
}

/** Builds the local BuildKit stand-in image once; fails with what to do when Docker is missing. */
export async function ensureStandinImage(): Promise<void> {
  await requireDocker();
  const context = fileURLToPath(new URL("./buildkit-standin", import.meta.url));
  const stream = await docker.buildImage({ context, src: ["Dockerfile", "buildkitd"] }, { t: standinImage, version: "2" } as Docker.ImageBuildOptions);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
      const failed = error ?? output.find((line) => line.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
      else resolve();
    }),
  );
}

/** The containers and networks the agent labelled with this run id. */
export async function resourcesOf(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`bailey.run-id=${runId}`] };
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => (c.Names[0] ?? "").replace(/^\//, ""));
  const networks = (await docker.listNetworks({ filters })).map((n) => n.Name);
  return { containers, networks };
}

/** Removes every container and network the agent serving `hostId` labelled. */
export async function removeByHost(hostId: string): Promise<void> {
  const filters = { label: [`bailey.host-id=${hostId}`] };
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
}

/**
 * A container's log as the engine keeps it (stdout and stderr interleaved, rotated by its log
 * driver), demultiplexed here rather than by the code under test: the tests' independent oracle.
 */
export async function engineLog(containerName: string): Promise<Buffer> {
  const raw = (await docker.getContainer(containerName).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const parts: Buffer[] = [];
  for (let at = 0; at < raw.length; ) {
    const length = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return Buffer.concat(parts);
}
