/**
 * BAILEY_TOKEN_CACHE_MS: how long this process reuses a verified API token, 0 (off, every request
 * looks the token up; the benchmark's "before") to `max`, which is also the default.
 */
export function tokenCacheTtlFromEnv(max: number): number {
  const raw = process.env.BAILEY_TOKEN_CACHE_MS;
  if (raw === undefined || raw === "") return max;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new Error(`BAILEY_TOKEN_CACHE_MS must be a whole number of milliseconds from 0 (off) to ${max}; it is "${raw}".`);
  }
  return ms;
}
