/**
 * One line a person can act on. Prisma wraps the driver's words ("Can't reach database
 * server at …", "password authentication failed …") in a multi-line preamble; keep the words.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const driverMessage = /Message: `([^`]+)`/.exec(message)?.[1];
  if (driverMessage) return driverMessage;
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !/^Invalid `.+` invocation:?$/.test(line));
  return lines.join(" ") || (error instanceof Error ? error.name : "unknown error");
}
