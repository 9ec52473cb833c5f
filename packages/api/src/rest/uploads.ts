import { maxBuildContextBytes } from "@bailey/core";
import type { TokenScope } from "@bailey/core";

/**
 * The REST operations whose body is a file, not JSON (no procedure can take one), each a
 * handler in this directory called by the REST handler; listed here for the OpenAPI document.
 */
export const uploadOperations: readonly { method: "POST"; path: string; scope: TokenScope; summary: string; contentTypes: string[]; maxBytes: number; description: string }[] = [
  {
    method: "POST",
    path: "/build-contexts",
    scope: "runs:write",
    summary: "Upload a build context: the tar (or gzipped tar) a run's Dockerfile builds from; name its sha256 in the run's build.context (201 new, 200 the same bytes again)",
    contentTypes: ["application/x-tar", "application/gzip", "application/x-gzip"],
    maxBytes: maxBuildContextBytes,
    description: `The tar's bytes, at most ${maxBuildContextBytes / 1024 / 1024} MiB (e.g. tar -czf - -C <directory> . | curl --data-binary @- -H 'Content-Type: application/gzip' …).`,
  },
];
