import type { ExecSocketStatus } from "~/lib/exec-socket-client";

/** The terminal panel's state: the socket's, plus "idle" before the first session. */
export type TerminalStatus = { kind: "idle" } | ExecSocketStatus;

/** The probe's refusal when the page already knows the run is over. */
export const runEndedCode = "RUN_ENDED";

/** The short line beside the terminal. */
export function statusLabel(status: TerminalStatus): string {
  switch (status.kind) {
    case "idle":
      return "not started";
    case "connecting":
      return "connecting…";
    case "open":
      return status.lostBytes > 0 ? `connected (${status.lostBytes} bytes of output were lost while disconnected)` : "connected";
    case "reconnecting":
      return `reconnecting… (attempt ${status.attempt})`;
    case "ended":
      return status.reason === "run-ended" ? "the run ended" : status.reason === "closed" ? "session closed" : `exited with code ${status.exitCode ?? "unknown"}`;
    case "failed":
      return status.refusal.code === runEndedCode ? "the run ended" : status.refusal.message;
  }
}

/** The dim line written into the terminal when its session is over, or null while it is not. */
export function endNotice(status: TerminalStatus): string | null {
  if (status.kind === "ended") {
    if (status.reason === "run-ended") return "[the run ended]";
    if (status.reason === "closed") return "[the session was closed]";
    return `[the process exited with code ${status.exitCode ?? "unknown"}]`;
  }
  if (status.kind === "failed") return status.refusal.code === runEndedCode ? "[the run ended]" : `[${status.refusal.message}]`;
  return null;
}

/** A session that is starting, open or being resumed: one that input still goes to. */
export function isLive(status: TerminalStatus): boolean {
  return status.kind === "connecting" || status.kind === "open" || status.kind === "reconnecting";
}

/** Whether the run's spec asked for a TTY on its main process (what Attach attaches to). */
export function specHasTty(spec: unknown): boolean {
  return typeof spec === "object" && spec !== null && (spec as { tty?: unknown }).tty === true;
}
