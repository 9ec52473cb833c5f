import type { ImagePullFailureReason } from "./errors";

// What Docker 20.10 and Podman 4.3 say for each failure (packages/runtime/test/image-pull*.test.ts
// pulls from the loopback registries to pin these):
//   not found:    "manifest unknown" (both), Docker Hub's "repository does not exist or may require 'docker login'"
//   unauthorized: "no basic auth credentials" (Docker, none given), "unauthorized: authentication required" (both)
//   unreachable:  "dial tcp 127.0.0.1:1: connect: connection refused", "pinging container registry …" (Podman)
const patterns: [ImagePullFailureReason, RegExp][] = [
  ["unauthorized", /no basic auth credentials|unauthorized|authentication required|incorrect username or password|denied: access forbidden/i],
  ["not_found", /manifest unknown|not found|repository does not exist|name unknown|no such image/i],
  [
    "unreachable",
    /connection refused|no such host|dial tcp|i\/o timeout|network is unreachable|tls handshake|server gave http response|pinging container registry|context deadline exceeded|connection reset/i,
  ],
];

export function classifyPullFailure(message: string): ImagePullFailureReason {
  return patterns.find(([, pattern]) => pattern.test(message))?.[0] ?? "other";
}

/** The engine's words without dockerode's "(HTTP code 500) server error - " prefix. */
export function cleanEngineMessage(message: string): string {
  return message
    .replace(/^\(HTTP code \d+\)[^-]*- /, "")
    .replace(/^initializing source docker:\/\/\S+: /, "")
    .trim();
}
