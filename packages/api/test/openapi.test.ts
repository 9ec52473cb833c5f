import assert from "node:assert/strict";
import { describe, it } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { z } from "zod";
import { appRouter, openApiDocument, restOperations, streamOperations, uploadOperations } from "../src";

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
type Operation = {
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  "x-bailey-scope"?: string;
};

const limits = ["type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "enum", "minItems", "maxItems", "format"] as const;

/** The limits of each field as zod's own JSON Schema states them, keyed by dotted path. */
function limitsOf(schema: Schema, prefix = ""): Map<string, Partial<Record<(typeof limits)[number], unknown>>> {
  const found = new Map<string, Partial<Record<(typeof limits)[number], unknown>>>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const key = `${prefix}${name}`;
    found.set(key, Object.fromEntries(limits.filter((limit) => property[limit] !== undefined).map((limit) => [limit, property[limit]])));
    for (const [inner, value] of limitsOf(property, `${key}.`)) found.set(inner, value);
  }
  return found;
}

const document = structuredClone(openApiDocument()) as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const operationAt = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()];

describe("the OpenAPI document generated from the router", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    await SwaggerParser.validate(structuredClone(document) as never);
  });

  it("has exactly the router's REST operations and the stream adapters, each naming its scope", () => {
    const expected = [
      ...restOperations(appRouter)
        .filter((operation) => operation.meta.openapi?.enabled !== false)
        .map((operation) => `${operation.method} ${operation.path} ${operation.meta.scope}`),
      ...streamOperations.map((operation) => `${operation.method} ${operation.path} ${operation.scope}`),
      ...uploadOperations.map((operation) => `${operation.method} ${operation.path} ${operation.scope}`),
    ].sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation["x-bailey-scope"]}`))
      .sort();
    assert.deepEqual(documented, expected);
    assert.ok(expected.length >= 18, `${expected.length} operations`);
  });

  for (const operation of restOperations(appRouter)) {
    if (operation.meta.openapi?.enabled === false) continue;
    it(`${operation.method} ${operation.path} (${operation.procedure}): request and response schemas carry the zod limits`, () => {
      const documented = operationAt(operation.method, operation.path);
      assert.ok(documented, "documented");
      const success = documented.responses[operation.meta.restCreated === "always" ? "201" : "200"]?.content?.["application/json"]?.schema;
      assert.ok(success && Object.keys(success).length > 0, "a response schema");
      assert.equal((documented.responses["400"]?.content?.["application/json"]?.schema as { $ref?: string } | undefined)?.$ref, "#/components/schemas/Error");
      if (!operation.input) return;
      const zodSchema = z.toJSONSchema(operation.input, { io: "input", unrepresentable: "any" }) as Schema;
      const fromZod = limitsOf(zodSchema);
      assert.ok(fromZod.size > 0, "the input has fields to compare");
      const inBody = documented.requestBody?.content["application/json"]?.schema;
      const fromDocument = new Map([
        ...(inBody ? limitsOf(inBody) : []),
        ...(documented.parameters ?? []).flatMap((parameter) => [...limitsOf({ properties: { [parameter.name]: parameter.schema } })]),
      ]);
      for (const [field, expected] of fromZod) {
        if (field === "cursor" || field === "direction") continue;
        // Dates are strings over REST; zod's own JSON Schema cannot state them.
        if (expected.type === undefined && fromDocument.get(field)?.format === "date-time") continue;
        assert.deepEqual(fromDocument.get(field), expected, `${field}: the document's limits differ from the zod schema's`);
      }
    });
  }

  it("the run spec's limits reach the document: lengths, the label pattern, pids ≥ 16", () => {
    const body = operationAt("POST", "/runs")?.requestBody?.content;
    const spec = body?.["application/json"]?.schema as Schema;
    assert.equal(spec.properties?.image?.maxLength, 512);
    assert.equal(spec.properties?.name?.maxLength, 100);
    assert.equal((spec.properties!.resources!.properties!.pids as Schema).minimum, 16);
    assert.match(String(((spec.properties!.placement!.properties!.labels as Schema).propertyNames as Schema).pattern), /a-z0-9/);
    assert.equal(body?.["application/yaml"]?.schema.type, "string");
    assert.equal(operationAt("POST", "/runs")?.parameters?.find((parameter) => parameter.name === "idempotency-key")?.schema.maxLength, 200);
  });
});
