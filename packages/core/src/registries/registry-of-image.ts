/**
 * The registry an image reference is pulled from, as Docker decides it: the first path component
 * when it looks like a host (has a dot or a port, or is localhost), otherwise Docker Hub.
 * `node:22` → docker.io, `ghcr.io/org/app:1` → ghcr.io, `127.0.0.1:5050/x/y@sha256:…` → 127.0.0.1:5050.
 */
export function registryOfImage(image: string): string {
  const slash = image.indexOf("/");
  if (slash === -1) return "docker.io";
  const first = image.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") return normalizeRegistry(first);
  return "docker.io";
}

/** One spelling per registry, so a credential saved for index.docker.io matches docker.io images. */
export function normalizeRegistry(registry: string): string {
  const lower = registry
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
  return lower === "index.docker.io" || lower === "registry-1.docker.io" ? "docker.io" : lower;
}
