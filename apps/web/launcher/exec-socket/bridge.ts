import { toAppError } from "@bailey/api";
import type { ExecSession, ExecStart } from "@bailey/core";
import { type ExecServerMessage, execClientControl, execClientStart, execOutputStream } from "@bailey/protocol/exec-socket";
import type { RawData, WebSocket } from "ws";

/** Output queued in the socket beyond this waits for the client to read (output backpressure). */
const outputHighWaterBytes = 1024 * 1024;
/** Stdin not yet written to the process beyond this stops reading the socket (input backpressure). */
const inputHighWaterBytes = 1024 * 1024;
/** The first frame (start or resume) must come this soon after the upgrade. */
const startTimeoutMs = 10_000;
/** A client that answers no ping for two intervals is gone; its session detaches. */
const pingIntervalMs = 20_000;

const streamByte = { stdout: execOutputStream.stdout, stderr: execOutputStream.stderr } as const;

/**
 * One exec WebSocket (packages/protocol/src/exec-socket.ts) over one core exec session: the first
 * text frame starts or resumes it; binary frames are stdin and output; a socket that drops
 * without `close` detaches the session so the client can resume it.
 */
export function bridgeExecSocket(socket: WebSocket, open: (start: ExecStart) => Promise<ExecSession>, log: (line: string) => void): void {
  let session: ExecSession | null = null;
  let finished = false;
  let closeRequested = false;
  let pendingInputBytes = 0;
  let chain: Promise<void> = Promise.resolve();

  const send = (message: ExecServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const fail = (code: string, message: string, closeCode: number) => {
    if (finished) return;
    finished = true;
    send({ type: "error", code, message });
    socket.close(closeCode, code.slice(0, 100));
  };

  const startTimer = setTimeout(() => fail("BAD_REQUEST", "Send the start (or resume) message first, within 10 seconds of connecting.", 1008), startTimeoutMs);

  let missedPongs = 0;
  const pinger = setInterval(() => {
    if (missedPongs >= 2) return socket.terminate();
    missedPongs += 1;
    socket.ping();
  }, pingIntervalMs);
  socket.on("pong", () => (missedPongs = 0));

  const pumpOutput = async (current: ExecSession) => {
    for await (const chunk of current.output) {
      if (socket.readyState !== socket.OPEN) {
        // Leaving the loop would cancel the agent's stream; say it is a detach, as the close handler would.
        if (!finished && !closeRequested) current.detach();
        return;
      }
      const frame = Buffer.allocUnsafe(chunk.data.length + 1);
      frame[0] = streamByte[chunk.fd];
      chunk.data.copy(frame, 1);
      if (socket.bufferedAmount > outputHighWaterBytes) {
        await new Promise<void>((resolve) => socket.send(frame, () => resolve()));
      } else {
        socket.send(frame);
      }
    }
    const end = await current.ended;
    if ("detached" in end) return;
    log(`exec session ${current.sessionId}: ${end.reason}${end.exitCode === null ? "" : ` (exit code ${end.exitCode})`}`);
    if (finished) return;
    finished = true;
    send({ type: "exit", exitCode: end.exitCode, reason: end.reason });
    socket.close(1000, end.reason);
  };

  const start = async (text: string) => {
    clearTimeout(startTimer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail("BAD_REQUEST", 'The first message must be JSON: {"type":"start","command":[...]} or {"type":"resume",...}.', 1008);
    }
    const first = execClientStart.safeParse(parsed);
    if (!first.success) return fail("BAD_REQUEST", `The start message is not valid: ${first.error.issues.map((issue) => `${issue.path.join(".") || "message"}: ${issue.message}`).join("; ")}`, 1008);
    try {
      session = await open(first.data as ExecStart);
    } catch (error) {
      const appError = toAppError(error);
      return fail(appError.code, appError.message, appError.code === "UNAVAILABLE" || appError.code === "INTERNAL" ? 1011 : 1008);
    }
    if (socket.readyState !== socket.OPEN) {
      // The client never learnt the session's id, so nobody could resume it: end it now.
      await session.close().catch(() => undefined);
      return;
    }
    send({ type: "started", sessionId: session.sessionId, resumed: session.resumed, outputOffset: session.outputOffset });
    log(`exec session ${session.sessionId}: ${session.resumed ? "resumed" : "started"}`);
    const current = session;
    pumpOutput(current).catch((error: Error) => fail("UNAVAILABLE", `The host's connection failed during the session: ${error.message}`, 1011));
  };

  const control = async (text: string, current: ExecSession) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const message = execClientControl.safeParse(parsed);
    if (!message.success) return fail("BAD_REQUEST", 'Control messages are {"type":"resize","cols":N,"rows":N}, {"type":"eof"} or {"type":"close"}.', 1008);
    if (message.data.type === "resize") await current.resize(message.data.cols, message.data.rows);
    else if (message.data.type === "eof") await current.eof();
    else {
      closeRequested = true;
      await current.close();
    }
  };

  const handle = async (data: RawData, isBinary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!session) {
      if (isBinary) return fail("BAD_REQUEST", "Send the start (or resume) message before any input.", 1008);
      return start(bytes.toString("utf8"));
    }
    if (finished) return;
    if (isBinary) {
      try {
        await session.write(bytes);
      } finally {
        pendingInputBytes -= bytes.length;
        if (pendingInputBytes <= inputHighWaterBytes / 2 && socket.isPaused) socket.resume();
      }
      return;
    }
    return control(bytes.toString("utf8"), session);
  };

  socket.on("message", (data, isBinary) => {
    const size = Array.isArray(data) ? data.reduce((total, part) => total + part.length, 0) : (data as Buffer).length;
    if (isBinary) {
      pendingInputBytes += size;
      if (pendingInputBytes > inputHighWaterBytes) socket.pause();
    }
    // In order: a keystroke typed right after the start waits for the session to exist.
    chain = chain
      .then(() => handle(data, isBinary))
      .catch((error: Error) => {
        // A write or resize that races the session's end fails harmlessly; a lost host ends the
        // output stream too, and the pump reports that.
        const appError = toAppError(error);
        log(`exec session ${session?.sessionId ?? "(not started)"}: ${appError.message}`);
        if (!session) fail(appError.code, appError.message, 1011);
      });
  });

  socket.on("close", () => {
    clearTimeout(startTimer);
    clearInterval(pinger);
    // Closed without `close` and before the end: the session waits on the host for a resume.
    if (session && !finished && !closeRequested) {
      log(`exec session ${session.sessionId}: the socket dropped; detached`);
      session.detach();
    }
    finished = true;
  });
  socket.on("error", (error) => log(`exec socket: ${error.message}`));
}
