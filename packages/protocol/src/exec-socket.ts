import { z } from "zod";
import { execSessionId } from "./methods/exec";

// For browsers, which import this file alone (`@bailey/protocol/exec-socket`): the index also holds Node-only parts.
export { execDetachGraceSeconds } from "./methods/exec";

/**
 * The WebSocket at `GET /api/v1/runs/{id}/exec` (issue 17), spoken by the web terminal and the
 * CLI. Authentication is the dashboard's session cookie or `Authorization: Bearer <token>` with
 * the `runs:exec` scope; a viewer, a token without the scope, another team's run or a run that is
 * not running is refused at the upgrade with the REST API's JSON error and status (401, 403,
 * 404, 409) — no socket is opened.
 *
 * Once open:
 * 1. The client sends one text frame, `ExecClientStart` (a new session, or a resume).
 * 2. The server answers `{type:"started"}` (with the session id and where output starts) or
 *    `{type:"error"}` and closes.
 * 3. Binary frames client → server are stdin bytes. Binary frames server → client are output:
 *    the first byte is the stream (1 stdout, 2 stderr), the rest its bytes.
 * 4. Text frames client → server: resize, eof, close. Server → client: exit (then a normal
 *    close, 1000), error (then close 1011 or 1008).
 * 5. A socket that drops without `close` detaches: the session lives on the host for
 *    execDetachGraceSeconds and the client may resume it with the output bytes it has.
 */
export const execOutputStream = { stdout: 1, stderr: 2 } as const;

const cols = z.number().int().min(1).max(1000);
const rows = z.number().int().min(1).max(1000);

export const execClientStart = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("start"),
      /** The command; absent with attach (the run's main process, e.g. its TTY when the run has `tty: true`). */
      command: z.array(z.string()).min(1).max(1024).optional(),
      attach: z.boolean().default(false),
      tty: z.boolean().default(false),
      stdin: z.boolean().default(true),
      cols: cols.optional(),
      rows: rows.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("resume"),
      sessionId: execSessionId,
      /** Output bytes the client already has. */
      outputOffset: z.number().int().min(0),
      cols: cols.optional(),
      rows: rows.optional(),
    })
    .strict(),
]);
export type ExecClientStart = z.input<typeof execClientStart>;

export const execClientControl = z.discriminatedUnion("type", [
  z.object({ type: z.literal("resize"), cols, rows }).strict(),
  /** Close the process's stdin. */
  z.object({ type: z.literal("eof") }).strict(),
  /** End the session (kill an exec'd process, detach from an attach) instead of detaching. */
  z.object({ type: z.literal("close") }).strict(),
]);
export type ExecClientControl = z.infer<typeof execClientControl>;

export const execServerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), sessionId: execSessionId, resumed: z.boolean(), outputOffset: z.number().int().min(0) }),
  z.object({ type: z.literal("exit"), exitCode: z.number().int().nullable(), reason: z.enum(["exited", "closed", "run-ended"]) }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ExecServerMessage = z.infer<typeof execServerMessage>;
