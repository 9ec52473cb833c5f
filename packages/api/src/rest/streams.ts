import type { TokenScope } from "@bailey/core";

/**
 * The REST operations that stream, so no procedure can answer them; each is a thin route
 * adapter over a core function with the same error mapping (apps/web/src/app/api/v1/...).
 * They are listed here so the OpenAPI document and the route enumeration tests see them.
 */
export const streamOperations: readonly {
  method: "GET";
  path: string;
  scope: TokenScope;
  summary: string;
  contentType: string;
  query?: Record<string, { type: string; description: string }>;
  /** Path parameters besides {id}. */
  pathParams?: Record<string, { description: string }>;
  /** A WebSocket: the success is 101 Switching Protocols, and a plain GET gets 426. */
  webSocket?: true;
}[] = [
  {
    method: "GET",
    path: "/runs/{id}/logs",
    scope: "runs:read",
    summary:
      "The run's output as text; follow=true keeps streaming until the run ends or the client leaves, and for a run not started yet first waits (up to 5 minutes) for it to start; without follow such a run is 409",
    contentType: "text/plain",
    query: { follow: { type: "boolean", description: "Stream until the run ends." } },
  },
  {
    method: "GET",
    path: "/runs/{id}/diff",
    scope: "runs:read",
    summary:
      "The run's diff against the commit its workspace was cloned at (uncommitted and untracked changes included; git apply --binary applies it), with its SHA-256 in x-content-sha256; 404 saying why when it has none",
    contentType: "text/x-diff",
  },
  {
    method: "GET",
    path: "/runs/{id}/bundle",
    scope: "runs:read",
    summary: "The commits the run made, as a git bundle (git fetch <file> <commit>), with its SHA-256 in x-content-sha256; 404 saying why when it made none",
    contentType: "application/x-git-bundle",
  },
  {
    method: "GET",
    path: "/runs/{id}/artifacts/{name}",
    scope: "runs:read",
    summary: "One of the run's artifacts as an attachment, with its SHA-256 in x-content-sha256",
    contentType: "application/octet-stream",
    pathParams: { name: { description: "The artifact's path relative to the workdir, as GET /runs/{id}/artifacts lists it; it may contain '/'" } },
  },
  {
    method: "GET",
    path: "/audit/export",
    scope: "audit:read",
    summary: "The team's whole audit chain as JSON lines, oldest first; signed checkpoints follow their events and a signed head ends the file (npm run audit:verify checks it offline)",
    contentType: "application/x-ndjson",
  },
  {
    method: "GET",
    path: "/runs/{id}/exec",
    scope: "runs:exec",
    summary:
      "A WebSocket into the running run: an interactive exec session (a command, or attach to its main process), with stdin, output, PTY resize, exit code and resume after a drop (docs/exec.md). A refusal is answered before the upgrade with the usual JSON error; 409 when the run is not running",
    contentType: "application/octet-stream",
    webSocket: true,
  },
];
