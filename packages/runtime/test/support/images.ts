import Docker from "dockerode";
import { dockerSocket } from "./engines";

export async function removeImagesByPrefix(prefix: string): Promise<void> {
  const docker = new Docker({ socketPath: dockerSocket });
  for (const image of await docker.listImages()) {
    if ((image.RepoTags ?? []).some((tag) => tag.startsWith(prefix)))
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
