import type { ImageDetails } from "./types";

/** An image reference split the way Docker reads it: [registry/]repository[:tag][@digest]. */
export interface ImageReference {
  /** host[:port]; `docker.io` when the reference names none. */
  registry: string;
  /** The path inside the registry; Docker Hub's one-component names get `library/`. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export function parseImageReference(reference: string): ImageReference {
  let rest = reference;
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry = "docker.io";
  const slash = rest.indexOf("/");
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first.toLowerCase();
      rest = rest.slice(slash + 1);
    }
  }
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = "docker.io";
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repository = registry === "docker.io" && !rest.includes("/") ? `library/${rest}` : rest;
  return { registry, repository, tag: tag ?? (digest ? null : "latest"), digest };
}

/**
 * The reference spelled out in full (`busybox` → `docker.io/library/busybox:latest`). Podman
 * resolves short names through its own search list (or refuses them without a TTY), so Bailey
 * always hands engines the name Docker would have meant.
 */
export function qualifiedImageReference(reference: string): string {
  const parsed = parseImageReference(reference);
  return `${parsed.registry}/${parsed.repository}${parsed.tag ? `:${parsed.tag}` : ""}${parsed.digest ? `@${parsed.digest}` : ""}`;
}

/** `registry/repository`, for comparing names engines print in their own spellings (Docker drops docker.io/library/). */
export function repositoryKey(reference: string): string {
  const parsed = parseImageReference(reference);
  return `${parsed.registry}/${parsed.repository}`;
}

/** The manifest digest the engine recorded for this image's repository, from its RepoDigests. */
export function repoDigestFor(image: ImageDetails, reference: string): string | null {
  const wanted = repositoryKey(reference);
  for (const entry of image.digests) {
    const at = entry.lastIndexOf("@");
    if (at !== -1 && repositoryKey(entry.slice(0, at)) === wanted) return entry.slice(at + 1);
  }
  return null;
}
