import { AppError } from "../errors";
import { normalizeRegistry } from "./registry-of-image";

const label = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const hostPort = new RegExp(`^(?:${label}(?:\\.${label})*|\\[[0-9a-f:]+\\])(?::(\\d{1,5}))?$`);

/**
 * A registry as a credential is saved for: the host[:port] that image references name, in
 * {@link normalizeRegistry}'s spelling (`https://GHCR.io/` → ghcr.io). A value no image could
 * ever be pulled from is refused with what to write instead.
 */
export function parseRegistryName(input: string): string {
  const registry = normalizeRegistry(input);
  const example = "Write the registry's host with an optional port, e.g. ghcr.io, registry.example.com:5000 or 127.0.0.1:5051";
  if (!registry) throw new AppError("BAD_REQUEST", `Name the registry. ${example}.`);
  if (registry.includes("/")) throw new AppError("BAD_REQUEST", `"${input.trim()}" has a path; credentials are per registry, for every image on it. ${example}.`);
  const match = hostPort.exec(registry);
  const port = match?.[1] === undefined ? undefined : Number(match[1]);
  if (!match || (port !== undefined && (port < 1 || port > 65535))) throw new AppError("BAD_REQUEST", `"${input.trim()}" is not a registry host. ${example}.`);
  // Docker reads a first path component without a dot or port as a Docker Hub namespace.
  if (!/[.:[]/.test(registry) && registry !== "localhost") {
    throw new AppError(
      "BAD_REQUEST",
      `"${registry}" cannot be told apart from a Docker Hub namespace in an image name; images name a registry by a host with a dot or a port (e.g. ${registry}.local:5000). ${example}.`,
    );
  }
  return registry;
}
