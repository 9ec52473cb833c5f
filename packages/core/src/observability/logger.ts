import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { logSettingsFromEnv } from "./env";
import { currentRequestId } from "./request-context";

export type { Logger };
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  /** Defaults to BAILEY_LOG_FORMAT, else pretty when stdout is a terminal, else JSON lines. */
  format?: LogFormat;
  /** Defaults to BAILEY_LOG_LEVEL, else info. */
  level?: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/** The log format the environment asks for; an unknown BAILEY_LOG_FORMAT is refused, not guessed at. */
export function logFormatFromEnv(env?: NodeJS.ProcessEnv, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  const requested = logSettingsFromEnv(env).format;
  if (!requested) return isTTY ? "pretty" : "json";
  if (requested === "json" || requested === "pretty") return requested;
  throw new Error(`BAILEY_LOG_FORMAT is "${requested}"; set it to "json" or "pretty" (or leave it unset: pretty in a terminal, JSON otherwise).`);
}

/**
 * A pino logger: JSON lines (time, level, msg and the bound ids: runId, hostId, requestId) for
 * log collectors, or pino-pretty for a terminal. Pretty is a synchronous stream in this process,
 * not a worker-thread transport: Next bundles modules, and a transport's worker cannot be found
 * from a bundle.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? logFormatFromEnv();
  const level = options.level ?? logSettingsFromEnv().level ?? "info";
  // Level names ("info"), not pino's numbers: the lines are read by people as well as collectors.
  const base = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // A line made while serving a request carries its id, however deep in the code it was made.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  if (format === "pretty") return pino(base, pretty({ sync: true, colorize: Boolean(process.stdout.isTTY), destination: options.destination ?? 1 }));
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

const shared = globalThis as unknown as { baileyLogger?: Logger };

/** The process's logger, made on first use from the environment. */
export function logger(): Logger {
  shared.baileyLogger ??= createLogger();
  return shared.baileyLogger;
}

/** Replaces the process's logger (tests, or a launcher that configured its own). */
export function setLogger(next: Logger): void {
  shared.baileyLogger = next;
}

/** A logger whose every line carries the run's id (and its host's, when known). */
export function runLogger(runId: string, hostId?: string | null): Logger {
  return logger().child(hostId ? { runId, hostId } : { runId });
}

export type LineLog = (line: string, context?: Record<string, string | undefined>) => void;

/**
 * For callers that take a `log(line)` function (the launcher, the exec socket server): each line
 * becomes one structured entry, with any ids given as context bound to it.
 */
export function lineLogger(target: Logger = logger(), level: "info" | "warn" | "error" = "info"): LineLog {
  return (line, context) => {
    const bound = context ? Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined)) : undefined;
    (bound && Object.keys(bound).length ? target.child(bound) : target)[level](line);
  };
}
