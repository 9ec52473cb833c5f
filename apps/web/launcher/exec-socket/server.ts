import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { restErrorResponse } from "@bailey/api";
import { AppError, authorizeExec, type HostConnections, openExecSession } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";
import { WebSocketServer } from "ws";
import { authenticateExecCaller } from "./authenticate";
import { bridgeExecSocket } from "./bridge";

const execPath = /^\/api\/v1\/runs\/([^/?#]+)\/exec\/?(?:\?.*)?$/;

/** The run id of an exec URL, or null for every other URL. */
export function execRunId(url: string | undefined): string | null {
  const match = execPath.exec(url ?? "");
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export interface ExecSocketServerOptions {
  prisma: () => PrismaClient;
  connections: () => HostConnections;
  secret: string;
  publicUrl?: string;
  /** Lines about one run's exec sessions come with its id as context (lineLogger binds it as runId). */
  log: (line: string, context?: { runId: string }) => void;
}

async function answerWithError(error: unknown): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const response = restErrorResponse(error);
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/**
 * GET /api/v1/runs/{id}/exec, which Next's route handlers cannot serve (they cannot upgrade):
 * a WebSocket upgrade opens an exec session; a refusal is answered before the upgrade as the
 * REST API's JSON error; a plain GET gets the same refusal, or 426 when an upgrade would work
 * (a browser cannot read an upgrade's status, so the terminal asks this way why it failed).
 */
export function createExecSocketServer(options: ExecSocketServerOptions) {
  const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });

  const authorize = async (request: IncomingMessage, runId: string) => {
    // As the REST routes do: Postgres cannot hold NUL, so it would otherwise fail as a 500.
    if (runId.includes("\u0000")) throw new AppError("BAD_REQUEST", "Text may not contain NUL (\\u0000) characters.");
    const prisma = options.prisma();
    const caller = await authenticateExecCaller({ prisma, request, runId, secret: options.secret, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) });
    await authorizeExec({ prisma, ctx: caller.ctx, token: caller.token, runId });
    return caller;
  };

  return {
    /** Answers a plain request to an exec URL; false for any other URL. */
    handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
      const runId = execRunId(request.url);
      if (runId === null) return false;
      void (async () => {
        let answer: { status: number; headers: Record<string, string>; body: string };
        try {
          if (request.method !== "GET") {
            answer = await answerWithError(new AppError("BAD_REQUEST", "Open this URL with GET, as a WebSocket."));
            answer.status = 405;
          } else {
            await authorize(request, runId);
            const body = { error: { code: "UPGRADE_REQUIRED", message: "You may exec into this run: open this URL as a WebSocket (ws:// or wss://); see docs/exec.md." } };
            answer = { status: 426, headers: { "content-type": "application/json", upgrade: "websocket" }, body: JSON.stringify(body) };
          }
        } catch (error) {
          answer = await answerWithError(error);
        }
        response.writeHead(answer.status, { ...answer.headers, "cache-control": "no-store" });
        response.end(answer.body);
      })();
      return true;
    },

    /** Takes an upgrade to an exec URL; false for any other URL. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const runId = execRunId(request.url);
      if (runId === null) return false;
      socket.on("error", () => undefined);
      void (async () => {
        let caller: Awaited<ReturnType<typeof authorize>>;
        try {
          caller = await authorize(request, runId);
        } catch (error) {
          const answer = await answerWithError(error);
          const headers = Object.entries({ ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)), connection: "close" })
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join("");
          socket.end(`HTTP/1.1 ${answer.status} ${statusText(answer.status)}\r\n${headers}\r\n${answer.body}`);
          return;
        }
        sockets.handleUpgrade(request, socket, head, (webSocket) => {
          bridgeExecSocket(
            webSocket,
            (start) => openExecSession({ prisma: options.prisma(), ctx: caller.ctx, token: caller.token, connections: options.connections(), runId, start }),
            (line) => options.log(line, { runId }),
          );
        });
      })();
      return true;
    },

    close(): void {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}

function statusText(status: number): string {
  return { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests", 503: "Service Unavailable" }[status] ?? "Error";
}
