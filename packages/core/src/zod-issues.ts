import type { z } from "zod";
import { AppError } from "./errors";

/** A zod failure as one BAD_REQUEST naming each field, the shape forms show next to fields. */
export function invalidInput(what: string, issues: readonly z.core.$ZodIssue[]): AppError {
  const fields = issues.map((issue) => ({ field: issue.path.map(String).join(".") || what, message: issue.message }));
  return new AppError("BAD_REQUEST", `The ${what} is invalid: ${fields.map((field) => `${field.field}: ${field.message}`).join("; ")}`, { fields });
}

export function parseInput<T extends z.ZodType>(schema: T, what: string, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(what, parsed.error.issues);
  return parsed.data;
}
