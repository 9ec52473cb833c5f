/** dockerode rejects with the engine's HTTP status on `statusCode`. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message : String(error);
}

/** Docker answers a name clash with 409; Podman's compat API with 500 and words. */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409 || (statusOf(error) === 500 && /already (in use|exists)/i.test(engineMessage(error)));
}
