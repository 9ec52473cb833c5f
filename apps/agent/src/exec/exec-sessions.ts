import { type AgentRun, execDetachGraceSeconds, execReplayBufferBytes, type Handlers, RpcError, rpcErrorCodes } from "@bailey/protocol";
import { ContainerNotFoundError, type InteractiveManager, type Runtime, requireInteractiveManager, UnsupportedFeatureError } from "@bailey/runtime";
import { ExecSession } from "./exec-session";

/** What the sessions need to know of the host's runs (RunManager has it). */
export interface ExecRuns {
  /** Throws runNotFound for a run not on this host. */
  inspect(runId: string): AgentRun;
  containerOf(runId: string): string;
}

export interface ExecSessionsOptions {
  runtime: Runtime;
  runs: ExecRuns;
  /** How long a detached session waits for a resume; execDetachGraceSeconds unless set (tests). */
  detachGraceMs?: number;
  replayBufferBytes?: number;
  /** Open sessions (detached ones included) one run may have. */
  maxSessionsPerRun?: number;
  log?: (line: string) => void;
}

export const defaultMaxSessionsPerRun = 32;

/**
 * The host's interactive sessions (exec.open, exec.input, exec.resize, exec.close), keyed by
 * the caller's session id. A session is forgotten once its end reached a caller or, detached,
 * once its grace period passed; a run's sessions end with it (its container's end ends their
 * streams). A resume of a session that has a caller takes it over: the earlier call ends with
 * a conflict (reason "taken-over"), so a browser back after a network blip never waits for the
 * agent to notice that its old connection is dead.
 */
export class ExecSessions {
  private readonly sessions = new Map<string, ExecSession>();
  private readonly detachGraceMs: number;
  private readonly replayBufferBytes: number;
  private readonly maxSessionsPerRun: number;

  constructor(private readonly options: ExecSessionsOptions) {
    this.detachGraceMs = options.detachGraceMs ?? execDetachGraceSeconds * 1000;
    this.replayBufferBytes = options.replayBufferBytes ?? execReplayBufferBytes;
    this.maxSessionsPerRun = options.maxSessionsPerRun ?? defaultMaxSessionsPerRun;
  }

  /** How many sessions the agent holds (for a run, when given). */
  count(runId?: string): number {
    return runId ? [...this.sessions.values()].filter((session) => session.runId === runId).length : this.sessions.size;
  }

  handlers(): Pick<Required<Handlers>, "exec.open" | "exec.input" | "exec.resize" | "exec.close"> {
    return {
      "exec.open": async (params, ctx) => {
        const existing = this.sessions.get(params.sessionId);
        if (existing) {
          if (existing.runId !== params.runId) {
            throw new RpcError(rpcErrorCodes.conflict, `Exec session ${params.sessionId} belongs to another run; resume it with its own run.`, { sessionId: params.sessionId, reason: "other-run" });
          }
          if (params.resumeFromOffset === undefined) {
            throw new RpcError(
              rpcErrorCodes.conflict,
              `Exec session ${params.sessionId} is open already: resume it with resumeFromOffset (the output bytes you have), or open a new one with a new sessionId.`,
              { sessionId: params.sessionId, reason: "exists" },
            );
          }
          if (params.resumeFromOffset > existing.buffer.end) {
            throw new RpcError(rpcErrorCodes.invalidParams, `resumeFromOffset ${params.resumeFromOffset} is past the ${existing.buffer.end} bytes exec session ${params.sessionId} has produced.`, {
              sessionId: params.sessionId,
              outputBytes: existing.buffer.end,
            });
          }
          if (params.cols && params.rows) await existing.resize(params.cols, params.rows).catch(() => undefined);
          return existing.stream(ctx, params.resumeFromOffset);
        }
        if (params.resumeFromOffset !== undefined) throw unknownSession(params.sessionId);
        const run = this.options.runs.inspect(params.runId);
        if (run.state !== "running") {
          throw new RpcError(rpcErrorCodes.conflict, `Run ${params.runId} is ${run.state}; exec and attach need a running run.`, { runId: params.runId, state: run.state });
        }
        if (params.attach && run.warm) {
          // Its container's main process is the pool's idle command (the run is an exec no attach reaches), or the
          // launcher's exec of the run with its stdin on /dev/null: no attach would be the run's terminal.
          throw new RpcError(
            rpcErrorCodes.unsupportedFeature,
            `Run ${params.runId} runs in a warm pool's container, whose main process's input is not the run's: attach is not available for it; open an exec with a command instead, or run it on a host without a matching pool.`,
            { runId: params.runId },
          );
        }
        if (this.count(params.runId) >= this.maxSessionsPerRun) {
          throw new RpcError(
            rpcErrorCodes.conflict,
            `Run ${params.runId} has ${this.maxSessionsPerRun} exec sessions open (detached ones included); close one (exec.close) or wait for detached ones to expire (${this.detachGraceMs / 1000} s).`,
            { runId: params.runId, reason: "too-many-sessions", limit: this.maxSessionsPerRun },
          );
        }
        const interactive = this.interactive();
        const containerId = this.options.runs.containerOf(params.runId);
        // Whether it has a terminal and stdin is known once the container is inspected: input and resize wait for the connection.
        const shape = { tty: params.tty, stdin: params.tty || params.stdin };
        const session = new ExecSession({
          sessionId: params.sessionId,
          runId: params.runId,
          shape,
          replayBufferBytes: this.replayBufferBytes,
          detachGraceMs: this.detachGraceMs,
          containerRunning: async () => {
            const info = await this.options.runtime.inspectContainer(containerId).catch(() => null);
            return { running: info?.running === true, exitCode: info?.exitCode ?? null };
          },
          onForget: () => {
            if (this.sessions.get(params.sessionId) === session) this.sessions.delete(params.sessionId);
          },
          ...(this.options.log ? { log: this.options.log } : {}),
        });
        // Held before the engine answers, so input, resize and a second open with this id find it.
        this.sessions.set(params.sessionId, session);
        try {
          const container = await this.options.runtime.inspectContainer(containerId).catch((error: unknown) => {
            if (error instanceof ContainerNotFoundError) throw new RpcError(rpcErrorCodes.conflict, `Run ${params.runId}'s container is gone; it cannot be exec'd into.`, { runId: params.runId });
            throw error;
          });
          if (!container.running)
            throw new RpcError(rpcErrorCodes.conflict, `Run ${params.runId}'s container is not running (${container.status}); exec and attach need a running run.`, { runId: params.runId });
          // An attach is to the main process's TTY when the run has one (stdin then goes to it), else to its output only.
          const tty = params.attach ? container.tty === true : params.tty;
          const stdin = params.attach ? container.tty === true && container.openStdin === true : params.tty || params.stdin;
          Object.assign(shape, { tty, stdin });
          if (params.attach) {
            session.connect({ kind: "attach", stream: await interactive.attach(containerId, { stdin }) });
            if (tty && params.cols && params.rows) await session.resize(params.cols, params.rows);
          } else {
            const stream = await interactive.execSession(containerId, params.command ?? [], {
              tty,
              stdin,
              env: params.env,
              ...(params.workdir ? { workdir: params.workdir } : {}),
              ...(params.cols ? { cols: params.cols } : {}),
              ...(params.rows ? { rows: params.rows } : {}),
            });
            session.connect({ kind: "exec", stream });
          }
        } catch (error) {
          session.fail(error as Error);
          if (error instanceof RpcError) throw error;
          if (error instanceof ContainerNotFoundError) throw new RpcError(rpcErrorCodes.conflict, `Run ${params.runId}'s container is gone; it cannot be exec'd into.`, { runId: params.runId });
          throw new RpcError(rpcErrorCodes.internalError, `${params.attach ? "Attaching to" : "Exec in"} run ${params.runId} failed: ${(error as Error).message}`, { runId: params.runId });
        }
        return session.stream(ctx, 0);
      },
      "exec.input": async ({ sessionId, data, eof }) => {
        const written = await this.get(sessionId).input(Buffer.from(data, "base64"), eof);
        return { written };
      },
      "exec.resize": async ({ sessionId, cols, rows }) => {
        await this.get(sessionId).resize(cols, rows);
        return {};
      },
      "exec.close": async ({ sessionId }) => {
        const session = this.sessions.get(sessionId);
        return { closed: session ? await session.close() : false };
      },
    };
  }

  /** The agent is stopping: every session's exec'd process is killed (a later agent could not resume them). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.shutdown()));
  }

  private get(sessionId: string): ExecSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw unknownSession(sessionId);
    return session;
  }

  private interactive(): InteractiveManager {
    try {
      return requireInteractiveManager(this.options.runtime);
    } catch (error) {
      if (error instanceof UnsupportedFeatureError) throw new RpcError(rpcErrorCodes.unsupportedFeature, error.message);
      throw error;
    }
  }
}

function unknownSession(sessionId: string): RpcError {
  return new RpcError(
    rpcErrorCodes.conflict,
    `Exec session ${sessionId} is not open on this host: it ended, its detach grace period (${execDetachGraceSeconds} s) passed, or it was never opened here.`,
    { sessionId, reason: "unknown-session" },
  );
}
