import { z } from "zod";

/**
 * A response schema as JSON Schema for the hand-written operations: a field's
 * `meta({ override })` (dates and 64-bit integers as strings) applied as the generator does.
 */
export function zodSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: "output",
    unrepresentable: "any",
    override: ({ jsonSchema }) => {
      const { override } = jsonSchema as { override?: Record<string, unknown> };
      if (!override) return;
      delete (jsonSchema as { override?: unknown }).override;
      Object.assign(jsonSchema, override);
    },
  }) as Record<string, unknown>;
  return rest;
}
