import { TRPCClientError } from "@trpc/client";

/** The server's per-field messages keyed by field path ("resources.memory"), for forms. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as { fields?: { field: string; message: string }[] | null; fieldErrors?: Record<string, string[] | undefined> | null } | undefined;
  const fields: Record<string, string> = {};
  for (const { field, message } of data?.fields ?? []) fields[field] ??= message;
  for (const [field, messages] of Object.entries(data?.fieldErrors ?? {})) if (messages?.[0]) fields[field] ??= messages[0];
  return fields;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
