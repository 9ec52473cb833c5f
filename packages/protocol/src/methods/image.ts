import { z } from "zod";
import { imageReference, registryAuth } from "./run";

export const cachedImage = z.object({
  id: z.string(),
  /** repo:tag names the engine has for it (Podman's imported images are localhost/<name>). */
  tags: z.array(z.string()),
  /** repo@sha256:… names: the registry digests it was pulled by. */
  digests: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string().nullable(),
});
export type CachedImage = z.infer<typeof cachedImage>;

export const imageMethods = {
  // A pull outside any run (an admin's pre-pull). Shares a pull in flight for the same image.
  "image.pull": {
    params: z.object({ image: imageReference, policy: z.enum(["always", "if-not-present"]).default("if-not-present"), registryAuth: registryAuth.optional() }).strict(),
    result: z.object({ image: z.string(), digest: z.string().nullable(), pulled: z.boolean() }),
  },
  "image.list": {
    params: z.object({}).strict(),
    result: z.object({ images: z.array(cachedImage) }),
  },
} as const;
