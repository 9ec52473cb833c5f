import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@bailey/db";
import type { ExecEnd, StreamChunk } from "@bailey/protocol";
import { recordAuditEvent } from "../audit";
import { auditActor, requireRole, type TeamContext } from "../authz";
import { AppError } from "../errors";
import type { HostConnections } from "../scheduler/host-connections";
import { requireScope, type AuthenticatedToken } from "../tokens/api-tokens";

/** A new session (a command, or attach to the run's main process) or a resume of a detached one. */
export type ExecStart =
  | { type: "start"; command?: string[]; attach?: boolean; tty?: boolean; stdin?: boolean; cols?: number; rows?: number }
  | { type: "resume"; sessionId: string; outputOffset: number; cols?: number; rows?: number };

export interface ExecSession {
  sessionId: string;
  resumed: boolean;
  /** Where the output starts (the resume's offset, 0 for a new session). */
  outputOffset: number;
  output: AsyncIterable<StreamChunk>;
  /** Resolves once the agent has written the bytes to the process (stdin backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  eof(): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Ends the session on purpose (kills an exec'd process, detaches an attach). */
  close(): Promise<void>;
  /** Leaves the session running on the host for a resume (a dropped socket). */
  detach(): void;
  /** How the session ended; rejects if the host connection failed. Settles as detached after detach(). */
  ended: Promise<ExecEnd | { detached: true }>;
}

const unreachableHostStates = new Set(["offline", "removed", "key_mismatch"]);

/**
 * Whether this caller may exec into this run now, with the refusal the API answers otherwise:
 * a token without runs:exec or a viewer 403, another team's run 404, a run that is not running
 * 409, an unreachable host 503. The WebSocket endpoint asks it before upgrading, too.
 */
export async function authorizeExec({ prisma, ctx, token, runId }: { prisma: PrismaClient; ctx: TeamContext; token?: Pick<AuthenticatedToken, "scopes"> | null; runId: string }) {
  if (token) requireScope(token, "runs:exec");
  requireRole(ctx, "member");
  const run = await prisma.run.findFirst({ where: { id: runId, teamId: ctx.teamId }, include: { host: true } });
  if (!run) throw AppError.notFound("Run");
  if (run.state !== "running") throw new AppError("CONFLICT", `This run is ${run.state}; only a running run can be exec'd into.`);
  if (!run.host) throw new AppError("CONFLICT", "This run has no host yet; try again in a moment.");
  if (unreachableHostStates.has(run.host.status)) throw new AppError("UNAVAILABLE", `Host ${run.host.name} cannot be reached right now (${run.host.status}); try again once it is back.`);
  return { ...run, host: run.host };
}

/**
 * Opens (or resumes) an interactive exec session in a running run, over its host's agent
 * connection. A member or higher may exec; a token needs runs:exec. Every start, end, detach
 * and resume is audited; a resume is refused unless the session was started in this run.
 */
export async function openExecSession({
  prisma,
  ctx,
  token,
  connections,
  runId,
  start,
}: {
  prisma: PrismaClient;
  ctx: TeamContext;
  /** The API token the caller used, if any: it needs runs:exec. */
  token?: Pick<AuthenticatedToken, "scopes"> | null;
  connections: HostConnections;
  runId: string;
  start: ExecStart;
}): Promise<ExecSession> {
  const run = await authorizeExec({ prisma, ctx, token, runId });

  const actor = auditActor(ctx);
  const audit = (action: string, data: Record<string, unknown>) =>
    recordAuditEvent(prisma, { teamId: ctx.teamId, ...actor, action, targetType: "run", targetId: runId, runId, hostId: run.hostId, data });

  let sessionId: string;
  let resumed = false;
  let outputOffset = 0;
  let params: Record<string, unknown>;
  if (start.type === "resume") {
    // The session must have been started in this run (of this team): its exec.started event says so.
    const started = await prisma.auditEvent.findFirst({ where: { teamId: ctx.teamId, runId, action: "exec.started", data: { path: ["sessionId"], equals: start.sessionId } } });
    if (!started) throw AppError.notFound("Exec session");
    sessionId = start.sessionId;
    resumed = true;
    outputOffset = start.outputOffset;
    const original = started.data as { command?: string[] | "attach"; tty?: boolean };
    params =
      original.command === "attach" || original.command === undefined
        ? { sessionId, runId, attach: true, resumeFromOffset: outputOffset }
        : { sessionId, runId, command: original.command, tty: original.tty ?? false, stdin: true, resumeFromOffset: outputOffset };
  } else {
    sessionId = randomUUID();
    const attach = start.attach ?? false;
    if (!attach && !start.command?.length) throw new AppError("BAD_REQUEST", "Give a command to run, or attach: true.");
    params = {
      sessionId,
      runId,
      attach,
      ...(attach ? {} : { command: start.command }),
      tty: start.tty ?? false,
      stdin: start.tty ? true : (start.stdin ?? true),
      ...(start.cols ? { cols: start.cols } : {}),
      ...(start.rows ? { rows: start.rows } : {}),
    };
  }
  if (start.cols && start.rows && resumed) params = { ...params, cols: start.cols, rows: start.rows };

  const agent = connections.get(run.host);
  let stream: Awaited<ReturnType<typeof agent.openStream<"exec.open">>>;
  try {
    stream = await agent.openStream("exec.open", params as never);
  } catch (error) {
    throw new AppError("UNAVAILABLE", `Host ${run.host.name} cannot be reached right now: ${(error as Error).message}`);
  }
  const startedAt = Date.now();
  if (resumed) await audit("exec.resumed", { sessionId, outputOffset });
  else
    await audit("exec.started", {
      sessionId,
      command: params.attach ? "attach" : params.command,
      tty: params.tty,
    });

  let detached = false;
  const ended = stream.result.then(
    async (end) => {
      await audit("exec.ended", { sessionId, exitCode: end.exitCode, reason: end.reason, durationMs: Date.now() - startedAt, outputBytes: end.outputBytes }).catch(() => undefined);
      return end as ExecEnd | { detached: true };
    },
    (error: Error) => {
      if (detached) return { detached: true as const };
      throw error;
    },
  );
  ended.catch(() => undefined);

  const call = async <M extends "exec.input" | "exec.resize" | "exec.close">(method: M, p: Record<string, unknown>) => {
    try {
      return await agent.request(method, p as never, { timeoutMs: 60_000 });
    } catch (error) {
      throw new AppError("UNAVAILABLE", `The exec session on host ${run.host?.name} did not answer: ${(error as Error).message}`);
    }
  };
  return {
    sessionId,
    resumed,
    outputOffset,
    output: stream.chunks,
    write: async (bytes) => void (await call("exec.input", { sessionId, data: Buffer.from(bytes).toString("base64") })),
    eof: async () => void (await call("exec.input", { sessionId, data: "", eof: true })),
    resize: async (cols, rows) => void (await call("exec.resize", { sessionId, cols, rows })),
    close: async () => void (await call("exec.close", { sessionId })),
    detach: () => {
      if (detached) return;
      detached = true;
      stream.cancel();
      void audit("exec.detached", { sessionId, durationMs: Date.now() - startedAt }).catch(() => undefined);
    },
    ended,
  };
}
