// The loopback registries infra/ci/setup-test-host.sh starts: an open one and one with htpasswd logins.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import Docker from "dockerode";
import { dockerSocket } from "./engines";

const root = "/var/lib/bailey-test-registry";
const setupHint = "Run infra/ci/setup-test-host.sh as root (npm test does) to install docker-registry and start the test registries.";

export interface TestRegistry {
  /** host:port, as it appears in image references. */
  address: string;
  /** Present for the private registry. */
  credentials: { username: string; password: string } | null;
  accessLogPath: string;
}

export interface TestRegistries {
  open: TestRegistry;
  private: TestRegistry;
}

async function answers(address: string): Promise<number | null> {
  try {
    const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(3_000) });
    return response.status;
  } catch {
    return null;
  }
}

/** Both registries, answering; otherwise a failure that says how to start them. */
export async function requireTestRegistries(): Promise<TestRegistries> {
  const open: TestRegistry = { address: "127.0.0.1:5050", credentials: null, accessLogPath: `${root}/open/access.log` };
  const passwordFile = `${root}/private/password`;
  if (!existsSync(passwordFile)) throw new Error(`The private test registry's password (${passwordFile}) is missing. ${setupHint}`);
  const priv: TestRegistry = {
    address: "127.0.0.1:5051",
    credentials: { username: "bailey-test", password: readFileSync(passwordFile, "utf8").trim() },
    accessLogPath: `${root}/private/access.log`,
  };
  if ((await answers(open.address)) !== 200) throw new Error(`The open test registry does not answer on ${open.address}. ${setupHint}`);
  if ((await answers(priv.address)) !== 401) throw new Error(`The private test registry does not answer on ${priv.address} with a login challenge. ${setupHint}`);
  return { open, private: priv };
}

export interface PushedImage {
  /** registry/repository:tag */
  reference: string;
  repository: string;
  /** The manifest digest the registry stored (sha256:…). */
  digest: string;
}

/**
 * Builds an image no engine has seen (busybox plus a file of random bytes, so its layer is new),
 * pushes it to `registry` as `<repository>:<tag>`, and removes it from the local Docker engine:
 * a pull afterwards really fetches it. `padBytes` makes the layer bigger, for progress to show.
 */
export async function pushUniqueTestImage(registry: TestRegistry, repository: string, { tag = "1", padBytes = 0 }: { tag?: string; padBytes?: number } = {}): Promise<PushedImage> {
  const docker = new Docker({ socketPath: dockerSocket });
  const reference = `${registry.address}/${repository}:${tag}`;
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-image-"));
  try {
    const rootfs = path.join(dir, "rootfs");
    const build = spawnSync(
      "sh",
      [
        "-c",
        `set -e; mkdir -p "$1/bin" "$1/tmp" "$1/etc" "$1/proc" "$1/sys" "$1/dev"; cp /bin/busybox "$1/bin/busybox";
         for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$1/bin/$app"; done
         echo 'root:x:0:0:root:/root:/bin/sh' > "$1/etc/passwd"`,
        "sh",
        rootfs,
      ],
      { encoding: "utf8" },
    );
    if (build.status !== 0) throw new Error(`Could not build the test image's rootfs: ${build.stderr}. ${setupHint}`);
    await writeFile(path.join(rootfs, "bailey-unique"), Buffer.concat([randomBytes(32), randomBytes(padBytes)]));
    const imported = spawnSync("sh", ["-c", `tar -C "$1" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$2"`, "sh", rootfs, reference], { encoding: "utf8" });
    if (imported.status !== 0) throw new Error(`docker import ${reference} failed: ${imported.stderr}`);
    // The engine wants an X-Registry-Auth header even for an open registry.
    const authconfig = { ...(registry.credentials ?? {}), serveraddress: registry.address };
    const stream = await docker.getImage(reference).push({ authconfig });
    let digest: string | null = null;
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: { error?: string; aux?: { Digest?: string } }) => {
          if (event.aux?.Digest) digest = event.aux.Digest;
        },
      ),
    );
    if (!digest) throw new Error(`Pushing ${reference} reported no digest`);
    return { reference, repository, digest };
  } finally {
    await docker
      .getImage(reference)
      .remove({ force: true })
      .catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Requests the registry logged for a repository: `GET /v2/<repo>/manifests/…` and `/blobs/…` lines, in order. */
export function registryRequests(registry: TestRegistry, repository: string): { method: string; uri: string; status: number }[] {
  const requests: { method: string; uri: string; status: number }[] = [];
  for (const line of readFileSync(registry.accessLogPath, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const uri = entry["http.request.uri"];
    const method = entry["http.request.method"];
    const status = entry["http.response.status"];
    if (typeof uri !== "string" || !uri.startsWith(`/v2/${repository}/`) || typeof status !== "number") continue;
    requests.push({ method: String(method), uri, status });
  }
  return requests;
}
