import type Docker from "dockerode";
import { isNotFound } from "./engine-errors";

export async function imageExists(engine: Docker, name: string): Promise<boolean> {
  return engine
    .getImage(name)
    .inspect()
    .then(
      () => true,
      (error: unknown) => {
        if (isNotFound(error)) return false;
        throw error;
      },
    );
}
