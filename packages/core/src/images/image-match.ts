import type { CachedImage } from "@bailey/protocol";

/**
 * One spelling of an image reference, as engines resolve it: `busybox`, `library/busybox:latest`
 * and `docker.io/library/busybox:latest` are one image. A pinned reference (`@sha256:…`) is
 * keyed by its digest, a tag by its tag (`latest` when none is given).
 */
export function imageKey(reference: string): string {
  const at = reference.indexOf("@");
  const digest = at === -1 ? null : reference.slice(at + 1).toLowerCase();
  const named = at === -1 ? reference : reference.slice(0, at);
  const lastSlash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  const tag = colon > lastSlash ? named.slice(colon + 1) : null;
  const name = canonicalName(colon > lastSlash ? named.slice(0, colon) : named);
  return digest ? `${name}@${digest}` : `${name}:${tag ?? "latest"}`;
}

function canonicalName(name: string): string {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  if (hasRegistry) return `${first.toLowerCase().replace(/^(index|registry-1)\.docker\.io$/, "docker.io")}/${name.slice(slash + 1)}`;
  return slash === -1 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/** Every key a host's cached images answer to (their tags and the digests they were pulled by). */
export function cachedImageKeys(images: unknown): Set<string> {
  const keys = new Set<string>();
  if (!Array.isArray(images)) return keys;
  for (const image of images as Partial<CachedImage>[]) {
    for (const tag of image.tags ?? []) if (typeof tag === "string" && !tag.includes("<none>")) keys.add(imageKey(tag));
    for (const digest of image.digests ?? []) if (typeof digest === "string" && digest.includes("@")) keys.add(imageKey(digest));
  }
  return keys;
}

/** Whether a host whose image keys are `keys` has `image` already (a tag by its tag, a pinned reference by its digest). */
export function hostHasImage(keys: Set<string>, image: string | null): boolean {
  return image !== null && keys.has(imageKey(image));
}
