import type Docker from "dockerode";
import type { ImageDetails } from "../../types";
import { isNotFound } from "./engine-errors";

export async function imageExists(engine: Docker, name: string): Promise<boolean> {
  return (await inspectImage(engine, name)) !== null;
}

export async function inspectImage(engine: Docker, name: string): Promise<ImageDetails | null> {
  try {
    const info = await engine.getImage(name).inspect();
    return {
      id: info.Id,
      tags: info.RepoTags ?? [],
      digests: info.RepoDigests ?? [],
      sizeBytes: info.Size ?? 0,
      createdAt: info.Created ?? null,
      entrypoint: toList(info.Config?.Entrypoint),
      cmd: toList(info.Config?.Cmd),
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export async function listImages(engine: Docker): Promise<ImageDetails[]> {
  const rows = await engine.listImages({ all: false });
  return rows.map((row) => ({
    id: row.Id,
    tags: (row.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>"),
    digests: (row.RepoDigests ?? []).filter((digest) => !digest.startsWith("<none>")),
    sizeBytes: row.Size ?? 0,
    createdAt: typeof row.Created === "number" ? new Date(row.Created * 1000).toISOString() : null,
  }));
}

/** The engine answers a string for a shell-form ENTRYPOINT/CMD in old images, an array otherwise. */
function toList(value: string | string[] | null | undefined): string[] | null {
  if (value == null) return null;
  return typeof value === "string" ? ["/bin/sh", "-c", value] : value;
}
