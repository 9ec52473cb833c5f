/** Automatic attempts per delivery before it is `failed` (a redelivery can still be asked for). */
export const maxWebhookAttempts = 8;

/** The default gap before the first retry; the later ones grow from it. */
export const defaultRetryBaseMs = 10_000;

// Gaps after attempts 1…7 in units of the base: 10 s, 30 s, 1.5 min, 5 min, 30 min, 2 h, 12 h
// with the default base, so the 8th attempt comes about 15 hours after the first: a receiver
// down for a night still gets the event.
const gapFactors = [1, 3, 9, 30, 180, 720, 4320];

/**
 * When to try again after `attempts` automatic attempts failed, or null when none is left. ±20 %
 * jitter spreads the retries of many deliveries that failed together (a receiver's outage).
 */
export function nextRetryDelayMs(attempts: number, baseMs = defaultRetryBaseMs, random: () => number = Math.random): number | null {
  if (attempts >= maxWebhookAttempts) return null;
  const factor = gapFactors[Math.min(Math.max(attempts, 1), gapFactors.length) - 1] ?? 1;
  return Math.round(baseMs * factor * (0.8 + 0.4 * random()));
}
