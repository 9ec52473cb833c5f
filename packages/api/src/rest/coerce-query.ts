import type { z } from "zod";

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
const defOf = (schema: z.ZodType | undefined): Def | undefined => (schema as unknown as { _zod?: { def: Def } } | undefined)?._zod?.def;

/** The schema under optional / nullable / default wrappers. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    const def = defOf(current);
    if (!def) return current;
    if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type)) current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else return current;
  }
  return current;
}

function coerce(value: string, schema: z.ZodType | undefined): unknown {
  switch (defOf(unwrap(schema))?.type) {
    case "number":
    case "int":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "date": {
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? value : date;
    }
    default:
      return value;
  }
}

/**
 * Query strings as the input schema's types (numbers, booleans, dates, arrays), on a copy:
 * the schema itself is never changed, so tRPC callers keep their strict types. A value
 * that does not convert is passed on as text for the schema to refuse with its message.
 */
export function queryInput(searchParams: URLSearchParams, schema: z.ZodType | undefined): Record<string, unknown> {
  const shape = defOf(unwrap(schema))?.shape ?? {};
  const input: Record<string, unknown> = {};
  for (const key of new Set(searchParams.keys())) {
    const field = shape[key];
    const values = searchParams.getAll(key);
    const element = defOf(unwrap(field))?.type === "array" ? defOf(unwrap(field))?.element : undefined;
    input[key] = element ? values.map((value) => coerce(value, element)) : coerce(values.at(-1) as string, field);
  }
  return input;
}
