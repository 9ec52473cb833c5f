// The environment variables observability reads (docs/observability.md lists them).

/** BAILEY_LOG_FORMAT, BAILEY_LOG_LEVEL, trimmed; undefined when unset or empty. */
export function logSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { format?: string; level?: string } {
  const format = env.BAILEY_LOG_FORMAT?.trim();
  const level = env.BAILEY_LOG_LEVEL?.trim();
  return { ...(format ? { format } : {}), ...(level ? { level } : {}) };
}

/** BAILEY_METRICS_TOKEN: when set, GET /metrics needs it as a bearer token. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BAILEY_METRICS_TOKEN?.trim() || undefined;
}
