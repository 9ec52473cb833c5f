import { type ExecClientControl, type ExecClientStart, type ExecServerMessage, execOutputStream, execServerMessage } from "@bailey/protocol";
import WebSocket from "ws";
import { apiBase } from "./client";
import { BaileyApiError, errorFromBody, unreachable } from "./errors";

export type ExecStream = "stdout" | "stderr";
export type ExecExit = Extract<ExecServerMessage, { type: "exit" }>;

export interface ExecOptions {
  url: string;
  token: string;
  runId: string;
  /** The command; absent with attach (the run's main process). */
  command?: string[];
  attach?: boolean;
  tty?: boolean;
  /** Whether the process gets a stdin at all (write/eof). */
  stdin?: boolean;
  cols?: number;
  rows?: number;
  /** Output as it arrives; registered before the socket opens, so nothing is missed. */
  onOutput: (stream: ExecStream, bytes: Buffer) => void;
}

export interface ExecSession {
  sessionId: string;
  /** Resolves when the process exits or the session ends; rejects if the socket fails first. */
  exit: Promise<ExecExit>;
  write(bytes: Uint8Array | string): void;
  resize(cols: number, rows: number): void;
  /** Close the process's stdin. */
  eof(): void;
  /** End the session (kills an exec'd process) instead of detaching. */
  close(): void;
}

const streams: Record<number, ExecStream> = { [execOutputStream.stdout]: "stdout", [execOutputStream.stderr]: "stderr" };

/**
 * Opens an exec session over the WebSocket at /api/v1/runs/{id}/exec (the contract is
 * packages/protocol/src/exec-socket.ts). Resolves once the server has started the session;
 * a refused upgrade (401/403/404/409) rejects with the API's message as a BaileyApiError.
 */
export function openExec(options: ExecOptions): Promise<ExecSession> {
  const base = apiBase(options.url);
  const url = `${base.replace(/^http/, "ws")}/runs/${encodeURIComponent(options.runId)}/exec`;
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${options.token}` }, perMessageDeflate: false });
  const send = (message: ExecClientControl) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  let settleExit: { resolve: (exit: ExecExit) => void; reject: (error: Error) => void } | undefined;
  const exit = new Promise<ExecExit>((resolve, reject) => {
    settleExit = { resolve, reject };
  });
  // A caller that only awaits the start must not see an unhandled rejection from exit.
  exit.catch(() => undefined);

  return new Promise<ExecSession>((resolve, reject) => {
    let started = false;
    let ended = false;
    const fail = (error: Error) => {
      if (ended) return;
      ended = true;
      if (started) settleExit?.reject(error);
      else reject(error);
      socket.terminate();
    };

    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => fail(errorFromBody(response.statusCode ?? 0, body, response.headers["retry-after"] as string | undefined)));
    });
    socket.on("error", (error) => fail(started ? new BaileyApiError(`The exec connection failed: ${error.message}`, 0, "UNAVAILABLE") : unreachable(base, error)));
    socket.on("open", () => {
      const start: ExecClientStart = {
        type: "start",
        attach: options.attach ?? false,
        tty: options.tty ?? false,
        stdin: options.stdin ?? true,
        ...(options.command ? { command: options.command } : {}),
        ...(options.cols && options.rows ? { cols: options.cols, rows: options.rows } : {}),
      };
      socket.send(JSON.stringify(start));
    });
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const stream = streams[data[0] ?? 0];
        if (stream) options.onOutput(stream, data.subarray(1));
        return;
      }
      let message: ExecServerMessage;
      try {
        message = execServerMessage.parse(JSON.parse(data.toString("utf8")));
      } catch {
        return fail(new BaileyApiError(`Bailey sent an exec message this client does not understand: ${data.toString("utf8").slice(0, 200)}`, 0, "INTERNAL"));
      }
      if (message.type === "started") {
        started = true;
        resolve({
          sessionId: message.sessionId,
          exit,
          write: (bytes) => {
            if (socket.readyState === WebSocket.OPEN) socket.send(typeof bytes === "string" ? Buffer.from(bytes) : bytes, { binary: true });
          },
          resize: (cols, rows) => send({ type: "resize", cols, rows }),
          eof: () => send({ type: "eof" }),
          close: () => send({ type: "close" }),
        });
      } else if (message.type === "exit") {
        ended = true;
        settleExit?.resolve(message);
      } else {
        fail(new BaileyApiError(message.message, 0, message.code));
      }
    });
    socket.on("close", (code, reason) => {
      if (!ended) fail(new BaileyApiError(`The exec connection closed before the process exited (WebSocket ${code}${reason.length ? `: ${reason.toString()}` : ""}).`, 0, "UNAVAILABLE"));
    });
  });
}
