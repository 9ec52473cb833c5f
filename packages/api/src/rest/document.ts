import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { appRouter } from "../root";
import { uploadBuildContextOutput } from "../schemas/build-contexts";
import { maxBodyBytes } from "./body";
import { restOperations } from "./operations";
import { streamOperations } from "./streams";
import { uploadOperations } from "./uploads";
import { zodSchemaOf } from "./zod-schema";

type Json = Record<string, unknown>;

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNPROCESSABLE", "UNAVAILABLE", "INTERNAL"] },
        message: { type: "string", description: "What happened and what to do about it." },
        details: {
          type: "object",
          description: "For bad input: fields, one { field, message } per problem.",
          properties: { fields: { type: "array", items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } } } },
        },
      },
    },
  },
} as const;

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
const commonErrors = {
  "413": { description: `The body is larger than ${maxBodyBytes} bytes`, content: errorContent },
  "503": { description: "A host or the database cannot be reached right now; retry after Retry-After seconds", headers: { "Retry-After": { schema: { type: "integer" } } }, content: errorContent },
};

let cached: OpenAPIObject | undefined;

/** /api/v1/openapi.json, generated from the router's procedures (their meta, input and output schemas). */
export function openApiDocument(): OpenAPIObject {
  cached ??= buildDocument();
  return cached;
}

function buildDocument(): OpenAPIObject {
  // Its router type wants meta as a bare record; ProcedureMeta is that record, with types.
  const document = generateOpenApiDocument(appRouter as unknown as OpenApiRouter, {
    title: "Bailey API",
    version: "1",
    description: "Automation uses an API token (Authorization: Bearer bly_...) with the scope each operation names in x-bailey-scope.",
    baseUrl: "/api/v1",
    securitySchemes: { apiToken: { type: "http", scheme: "bearer", description: "An API token (bly_...) with the scopes each operation names." } },
  });
  const paths = document.paths as Record<string, Record<string, Json>>;
  const operations = restOperations(appRouter);
  for (const operation of operations.filter((candidate) => candidate.meta.openapi?.enabled !== false)) {
    const entry = paths[operation.path]?.[operation.method.toLowerCase()];
    if (!entry) continue;
    entry["x-bailey-scope"] = operation.meta.scope;
    entry["x-trpc-procedure"] = operation.procedure;
    if (operation.meta.scope !== "public") entry.security = [{ apiToken: [] }];
    const responses = entry.responses as Record<string, Json>;
    for (const [status, response] of Object.entries(responses)) if (Number(status) >= 400) response.content = errorContent;
    Object.assign(responses, commonErrors);
    if (operation.meta.restCreated) {
      responses["201"] = { ...responses["200"], description: "Created" };
      if (operation.meta.restCreated === "always") delete responses["200"];
      else (responses["200"] as Json).description = "An Idempotency-Key retry: what the first request created";
    }
  }
  // A procedure sharing another's method and path by content type adds its body to that operation.
  for (const operation of operations.filter((candidate) => candidate.meta.restTextBody)) {
    const entry = paths[operation.path]?.[operation.method.toLowerCase()];
    const content = (entry?.requestBody as { content?: Json } | undefined)?.content;
    if (!content) throw new Error(`${operation.procedure}: no JSON operation at ${operation.method} ${operation.path} to add its body to.`);
    for (const type of operation.meta.restTextBody?.contentTypes ?? [])
      content[type] = { schema: { type: "string", maxLength: maxBodyBytes, description: "The same fields as YAML, or a moat.yaml; fields Bailey does not support yet come back in `ignored`." } };
  }
  for (const stream of streamOperations) {
    const parameters = [
      { in: "path", name: "id", required: true, schema: { type: "string", minLength: 1, maxLength: 64 } },
      ...Object.entries(stream.pathParams ?? {}).map(([name, { description }]) => ({ in: "path", name, required: true, description, schema: { type: "string", minLength: 1 } })),
      ...Object.entries(stream.query ?? {}).map(([name, { type, description }]) => ({ in: "query", name, description, schema: { type } })),
    ].filter((parameter) => parameter.in !== "path" || stream.path.includes(`{${parameter.name}}`));
    paths[stream.path] = {
      ...paths[stream.path],
      [stream.method.toLowerCase()]: {
        operationId: stream.path.replace(/[{}]/g, "").split("/").filter(Boolean).join("."),
        summary: stream.summary,
        tags: [stream.path.split("/")[1]],
        security: [{ apiToken: [] }],
        "x-bailey-scope": stream.scope,
        parameters,
        responses: {
          ...(stream.webSocket
            ? {
                "101": { description: "Switched to a WebSocket speaking Bailey's exec protocol (packages/protocol/src/exec-socket.ts)" },
                "409": { description: "The run is not running", content: errorContent },
                "426": { description: "Sent without an upgrade: the caller may exec, over a WebSocket", content: errorContent },
              }
            : { "200": { description: "Streamed", content: { [stream.contentType]: { schema: { type: "string" } } } } }),
          "401": { description: "No token or session", content: errorContent },
          "403": { description: "The token lacks the scope", content: errorContent },
          "404": { description: "Not found in the caller's team", content: errorContent },
          ...commonErrors,
        },
      },
    };
  }
  for (const upload of uploadOperations) {
    paths[upload.path] = {
      ...paths[upload.path],
      [upload.method.toLowerCase()]: {
        operationId: `${upload.path.split("/").filter(Boolean).join(".")}.upload`,
        summary: upload.summary,
        tags: [upload.path.split("/")[1]],
        security: [{ apiToken: [] }],
        "x-bailey-scope": upload.scope,
        requestBody: {
          required: true,
          content: Object.fromEntries(upload.contentTypes.map((type) => [type, { schema: { type: "string", format: "binary", maxLength: upload.maxBytes, description: upload.description } }])),
        },
        responses: {
          "200": { description: "The same bytes were uploaded before: that context", content: { "application/json": { schema: zodSchemaOf(uploadBuildContextOutput) } } },
          "201": { description: "Stored", content: { "application/json": { schema: zodSchemaOf(uploadBuildContextOutput) } } },
          "400": { description: "Not a tar or gzip, an empty body, or another Content-Type", content: errorContent },
          "401": { description: "No token", content: errorContent },
          "403": { description: "The token lacks the scope, or the caller is a viewer", content: errorContent },
          "413": { description: `The body is larger than ${upload.maxBytes} bytes`, content: errorContent },
          "503": commonErrors["503"],
        },
      },
    };
  }
  const components = (document.components ?? {}) as { schemas?: Record<string, unknown> };
  components.schemas = Object.fromEntries(Object.entries(components.schemas ?? {}).filter(([name]) => !name.startsWith("error.")));
  components.schemas.Error = errorSchema;
  document.components = components as OpenAPIObject["components"];
  return document;
}
