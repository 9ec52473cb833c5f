import { z } from "zod";
import { runId } from "./ids";

/**
 * Interactive exec sessions (issue 17). A session is one streaming `exec.open` call: the agent
 * streams the process's output as chunks (stdout/stderr; a TTY session sends everything as
 * stdout) and answers with how it ended. Input and terminal size travel as separate calls
 * naming the session, so they share the connection (and its SSH channel) with everything else.
 *
 * - `exec.input` resolves only once its bytes are written to the process (the engine's stream
 *   drained), so a caller that awaits each one before sending the next never outruns the
 *   process: that is the stdin backpressure. Output backpressure is the connection's own flow
 *   control (HandlerContext.write waits).
 * - Cancelling `exec.open` (`$/cancel`, a dropped connection) *detaches*: the process keeps
 *   running and the agent keeps its last output for `detachGraceSeconds`, so the caller can
 *   resume the same session (a browser after a network blip, through any control plane) by
 *   calling `exec.open` again with the same `sessionId` and `resumeFromOffset`. After the grace
 *   period the agent kills the process (exec) or just forgets the session (attach).
 * - `exec.close` ends a session on purpose: kills an exec'd process, detaches an attach.
 * - `attach: true` attaches to the run's main process instead of starting one: its TTY when the
 *   run was created with `tty: true` (stdin goes to it), else its output only.
 */

/** Chosen by the caller (a UUID): input, resize and resume name the session before its first byte. */
export const execSessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8–64 letters, digits, _ or -");

const terminalCols = z.number().int().min(1).max(1000);
const terminalRows = z.number().int().min(1).max(1000);
const noNul = z.string().refine((value) => !value.includes("\0"), "must not contain NUL bytes");

/** How long a detached session survives without a caller (seconds). */
export const execDetachGraceSeconds = 60;
/** How much of a session's recent output the agent keeps for a resume (bytes). */
export const execReplayBufferBytes = 256 * 1024;

export const execEnd = z.object({
  sessionId: execSessionId,
  /** The process's exit code; null for an attach that ended because the caller closed it. */
  exitCode: z.number().int().nullable(),
  /** exited: the process ended. closed: exec.close. run-ended: the run's container stopped. */
  reason: z.enum(["exited", "closed", "run-ended"]),
  /** Total output bytes the session produced (the offset a resume would start after). */
  outputBytes: z.number().int().min(0),
});
export type ExecEnd = z.infer<typeof execEnd>;

export const execMethods = {
  "exec.open": {
    params: z
      .object({
        sessionId: execSessionId,
        runId,
        /** The command to exec; absent (and required absent) with attach. */
        command: z
          .array(noNul.max(64 * 1024))
          .min(1)
          .max(1024)
          .optional(),
        attach: z.boolean().default(false),
        tty: z.boolean().default(false),
        /** Keep the process's stdin open for exec.input (always true for a TTY). */
        stdin: z.boolean().default(false),
        cols: terminalCols.optional(),
        rows: terminalRows.optional(),
        env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), noNul.max(64 * 1024)).default({}),
        workdir: noNul.max(4096).regex(/^\//, "must be an absolute path").optional(),
        /**
         * Resume a detached session: replay its output after this many bytes (what the caller
         * already has), then continue live. Bytes older than the replay buffer are gone: the
         * replay then starts at the oldest byte kept (the first chunk says nothing about it;
         * compare with exec.inspect's outputBytes if it matters).
         */
        resumeFromOffset: z.number().int().min(0).optional(),
      })
      .strict()
      .refine((p) => (p.attach ? p.command === undefined : p.command !== undefined), "give a command, or attach: true without one"),
    result: execEnd,
  },
  "exec.input": {
    params: z
      .object({
        sessionId: execSessionId,
        /** Base64 of the bytes for the process's stdin (at most 1 MiB decoded). */
        data: z
          .string()
          .max(1_400_000)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"),
        /** Close the process's stdin after these bytes. */
        eof: z.boolean().default(false),
      })
      .strict(),
    result: z.object({ written: z.number().int().min(0) }),
  },
  "exec.resize": {
    params: z.object({ sessionId: execSessionId, cols: terminalCols, rows: terminalRows }).strict(),
    result: z.object({}),
  },
  "exec.close": {
    params: z.object({ sessionId: execSessionId }).strict(),
    result: z.object({ closed: z.boolean() }),
  },
} as const;
