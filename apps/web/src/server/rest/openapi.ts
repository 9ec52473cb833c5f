const error = { $ref: "#/components/schemas/Error" };
const responses = (ok: string) => ({
  "200": { description: ok },
  "400": { description: "Invalid input", content: { "application/json": { schema: error } } },
  "401": { description: "Missing, unknown, revoked or expired token", content: { "application/json": { schema: error } } },
  "403": { description: "The token lacks the scope, or its creator's role forbids it", content: { "application/json": { schema: error } } },
  "404": { description: "Not found in the token's team", content: { "application/json": { schema: error } } },
});
const runId = { name: "id", in: "path", required: true, schema: { type: "string" } };
const hostId = runId;

/** The REST API for automation; every route but /hosts/enroll takes `Authorization: Bearer bly_...`. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "Bailey API", version: "1" },
  servers: [{ url: "/api/v1" }],
  security: [{ apiToken: [] }],
  components: {
    securitySchemes: { apiToken: { type: "http", scheme: "bearer", description: "An API token (bly_...) with the scopes each operation names." } },
    schemas: {
      Error: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } }, required: ["code", "message"] } } },
      RunSpec: {
        type: "object",
        required: ["image"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          image: { type: "string" },
          command: { type: "array", items: { type: "string" } },
          env: { type: "object", additionalProperties: { type: "string" } },
          dependencies: { type: "array", items: { enum: ["docker:host", "docker:dind"] } },
          sandbox: { enum: ["gvisor", "none"], default: "gvisor" },
          placement: { type: "object", properties: { labels: { type: "object", additionalProperties: { type: "string" } } } },
          resources: { type: "object", properties: { cpus: { type: "number" }, memory: { oneOf: [{ type: "string", example: "2g" }, { type: "integer" }] }, pids: { type: "integer" }, timeoutSeconds: { type: "integer" } } },
        },
      },
    },
  },
  paths: {
    "/runs": {
      post: {
        summary: "Create a run (scope runs:write). Idempotency-Key: a retry returns the first run; the same key with another body is 409.",
        parameters: [{ name: "Idempotency-Key", in: "header", schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/RunSpec" } },
            "application/yaml": { schema: { type: "string", description: "The same fields as YAML, or a moat.yaml (agent, dependencies, env, ports, command, sandbox); fields Bailey does not support yet come back in `ignored`." } },
          },
        },
        responses: { ...responses("The existing run (idempotent retry)"), "201": { description: "Created: { run, ignored: [{ field, reason }] }" }, "409": { description: "Key reused with another body" }, "413": { description: "Body over 1 MiB" } },
      },
      get: {
        summary: "List runs, newest first (scope runs:read)",
        parameters: [
          { name: "state", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
          { name: "cursor", in: "query", schema: { type: "string" } },
          { name: "host", in: "query", schema: { type: "string" }, description: "Host id" },
          { name: "creator", in: "query", schema: { type: "string" }, description: "User id of the creator" },
          { name: "q", in: "query", schema: { type: "string" }, description: "Matches the run's id, name or image" },
        ],
        responses: responses("{ runs, nextCursor }"),
      },
    },
    "/runs/{id}": {
      get: { summary: "A run with its timeline, host, sidecars and network (scope runs:read)", parameters: [runId], responses: responses("{ run }") },
      delete: { summary: "Destroy a run and everything it left on its host (scope runs:write)", parameters: [runId], responses: responses("{ runId, removed }") },
    },
    "/runs/{id}/stop": {
      post: { summary: "Stop a run (scope runs:write)", parameters: [runId, { name: "graceSeconds", in: "query", schema: { type: "integer" } }], responses: responses("{ run }") },
    },
    "/runs/{id}/logs": {
      get: { summary: "The run's output as text; follow=true streams (scope runs:read)", parameters: [runId, { name: "follow", in: "query", schema: { type: "boolean" } }], responses: responses("text/plain") },
    },
    "/hosts": {
      get: { summary: "The team's hosts with their active run counts (scope hosts:read)", responses: responses("{ hosts }") },
      post: { summary: "Add a host by hand: name, address, sshPort, sshUser, hostKeyFingerprint, labels, capacityRuns (scope hosts:write, admin)", responses: { ...responses("-"), "201": { description: "{ host } after the agent was greeted" }, "409": { description: "Name taken" } } },
    },
    "/hosts/{id}": {
      get: { summary: "One host (scope hosts:read)", parameters: [hostId], responses: responses("{ host }") },
      delete: { summary: "Remove a host with no active runs (scope hosts:write, admin)", parameters: [hostId], responses: { ...responses("{ host }"), "409": { description: "Runs still active on it" } } },
    },
    "/hosts/{id}/drain": { post: { summary: "Place no new runs on the host (scope hosts:write, admin)", parameters: [hostId], responses: responses("{ host }") } },
    "/hosts/{id}/resume": { post: { summary: "End a drain (scope hosts:write, admin)", parameters: [hostId], responses: responses("{ host }") } },
    "/hosts/enrollments": {
      get: { summary: "Recent enrollments (scope hosts:read)", responses: responses("{ enrollments }") },
      post: { summary: "A one-time install command for a new host: name, labels, capacityRuns, expiresInMinutes (scope hosts:write, admin)", responses: { ...responses("-"), "201": { description: "{ enrollment, token, installCommand }; the token is shown only here" } } },
    },
    "/hosts/enroll": {
      post: {
        summary: "install.sh reports a host back: token, address, sshPort, sshUser, hostKeyFingerprint. The one-time enrollment token is the credential.",
        security: [],
        responses: { "201": { description: "{ host }" }, "400": { description: "Invalid report" }, "401": { description: "Token unknown, used or expired" }, "409": { description: "Name taken" } },
      },
    },
    "/audit": { get: { summary: "Audit events, newest first (scope audit:read)", responses: responses("{ events, nextBeforeSeq }") } },
    "/audit/export": { get: { summary: "The whole chain as JSON lines, oldest first (scope audit:read)", responses: responses("application/x-ndjson") } },
    "/audit/verify": { get: { summary: "Recompute the team's hash chain (scope audit:read)", responses: responses("{ valid, events, brokenAtSeq?, reason? }") } },
  },
} as const;
