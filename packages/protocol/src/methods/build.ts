import { z } from "zod";

// Building a run's image from a Dockerfile on its host (issue 20). The control plane stores an
// uploaded build context (a tar, plain or gzip) and puts it on the host in chunks with
// `build.context.put` before `run.create`; a spec with `build` then has the agent build
// `spec.image`, which for such a run is always `buildImageTag(runId)`.

/** A build context is named by the SHA-256 of its tar's bytes, lower-case hex. */
export const buildContextSha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be the SHA-256 of the build context tar, 64 lower-case hex digits");

/** The largest build context, in bytes of the tar as uploaded. */
export const maxBuildContextBytes = 32 * 1024 * 1024;
/** The most bytes one `build.context.put` carries (before base64), well inside a frame. */
export const maxBuildContextChunkBytes = 4 * 1024 * 1024;
/** The largest inline Dockerfile, in characters. */
export const maxInlineDockerfileChars = 256 * 1024;

/** The tag a run's built image gets on its host (Podman's compat build names it `docker.io/<this>`). */
export function buildImageTag(runId: string): string {
  return `bailey-build/${runId}:latest`;
}

const relativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((value) => !value.startsWith("/") && !value.split("/").includes("..") && !value.includes("\0"), "must be a path inside the build context (relative, no '..')");

const buildArgName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be a build argument name (letters, digits and _, not starting with a digit)");
const stageName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, "must be a stage name from the Dockerfile (FROM … AS <name>)");

export const runBuild = z
  .object({
    /** The uploaded context's SHA-256; absent: an empty context (a Dockerfile that only needs its base images). */
    context: buildContextSha256.optional(),
    /** The Dockerfile's path inside the context (default `Dockerfile`). */
    dockerfile: relativePath.optional(),
    /** A Dockerfile's text, used instead of one from the context. */
    dockerfileInline: z.string().min(1).max(maxInlineDockerfileChars).optional(),
    target: stageName.optional(),
    args: z
      .record(
        buildArgName,
        z
          .string()
          .max(32 * 1024)
          .refine((value) => !value.includes("\0"), "must not contain NUL bytes"),
      )
      .default({}),
  })
  .strict()
  .refine((build) => !(build.dockerfile && build.dockerfileInline), {
    message: "give either dockerfile (a path in the context) or dockerfileInline (the Dockerfile's text), not both",
    path: ["dockerfileInline"],
  })
  .refine((build) => build.context !== undefined || build.dockerfileInline !== undefined, { message: "a build needs a context (an uploaded tar's sha256) or dockerfileInline", path: ["context"] });
export type RunBuild = z.infer<typeof runBuild>;

export const buildMethods = {
  /**
   * Puts one chunk of a build context on the host. Resumable and idempotent: a chunk whose
   * `offset` is not what the host holds is not written, and the result says where to go on
   * (`receivedBytes`); once all `sizeBytes` are there the host checks the SHA-256 (a mismatch
   * discards the file and fails) and answers `complete: true`, as it does for any later put of
   * a context it already holds (offset 0 with empty data asks whether it has it).
   */
  "build.context.put": {
    params: z
      .object({
        sha256: buildContextSha256,
        sizeBytes: z.number().int().min(1).max(maxBuildContextBytes),
        offset: z.number().int().min(0).max(maxBuildContextBytes),
        /** Base64 of at most maxBuildContextChunkBytes bytes; may be empty. */
        data: z
          .string()
          .max(Math.ceil(maxBuildContextChunkBytes / 3) * 4)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"),
      })
      .strict(),
    result: z.object({ receivedBytes: z.number().int(), complete: z.boolean() }),
  },
} as const;
