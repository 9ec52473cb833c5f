// A throttled sign-in travels as next-auth's `?error=` code `TooManyAttempts:<seconds>`: the
// only field of a refused sign-in next-auth's client hands back. Safe to import in the browser.
export const tooManyAttemptsCode = "TooManyAttempts";

export const tooManyAttemptsMessage = (seconds: number) => `Too many attempts: try again in ${seconds} s.`;

export const tooManyAttemptsError = (seconds: number) => `${tooManyAttemptsCode}:${seconds}`;

/** `TooManyAttempts:<seconds>` → seconds; undefined for any other error code. */
export function throttledSeconds(code: string | null | undefined): number | undefined {
  const match = new RegExp(`^${tooManyAttemptsCode}:(\\d+)$`).exec(code ?? "");
  return match ? Number(match[1]) : undefined;
}
