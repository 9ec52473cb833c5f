import { randomBytes } from "node:crypto";
import { type Duplex, type Readable, Transform } from "node:stream";
import type Docker from "dockerode";
import { ContainerNotFoundError } from "../../errors";
import { toEnvList } from "../../hardening";
import type { AttachOptions, ExecSession, InteractiveExecOptions, InteractiveManager, InteractiveStream, LogChunk } from "../../types";
import { isNotFound, statusOf } from "./engine-errors";
import { demultiplex } from "./log-demux";

/**
 * The variable every interactive exec carries, with a value of its own: the engines have no
 * "kill this exec" call, and the exec's host pid is of no use under gVisor (it is runsc's), so
 * kill() finds the process, and whatever it started, by this variable from inside the container.
 */
export const execMarkerVariable = "BAILEY_EXEC_SESSION";

/** `docker exec -it` and `docker attach` over the engine's hijacked connections (Docker, and Podman's compat API). */
export class DockerInteractiveManager implements InteractiveManager {
  constructor(private readonly engine: Docker) {}

  async execSession(id: string, command: string[], options: InteractiveExecOptions = {}): Promise<ExecSession> {
    const tty = options.tty === true;
    const stdin = tty || options.stdin === true;
    const marker = randomBytes(12).toString("hex");
    const container = this.engine.getContainer(id);
    try {
      const exec = await container.exec({
        Cmd: command,
        AttachStdin: stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        Env: [...toEnvList(options.env), `${execMarkerVariable}=${marker}`],
        ...(options.workdir ? { WorkingDir: options.workdir } : {}),
        ...(options.user ? { User: options.user } : {}),
      });
      const socket = (await exec.start({ hijack: true, stdin, Tty: tty })) as Duplex;
      const stream = connection(socket, tty, stdin, async (cols, rows) => {
        await exec.resize({ w: cols, h: rows }).catch((error: unknown) => {
          // The process has ended (or not started yet): a resize then has nothing to apply to.
          if (statusOf(error) === 404 || statusOf(error) === 409) return;
          throw error;
        });
      });
      if (tty && options.cols && options.rows) await stream.resize(options.cols, options.rows);
      return {
        ...stream,
        exitCode: () => exitCodeOf(exec),
        kill: () => killMarked(this.engine, id, marker),
      };
    } catch (error) {
      if (isNotFound(error)) throw new ContainerNotFoundError(id);
      throw error;
    }
  }

  async attach(id: string, options: AttachOptions = {}): Promise<InteractiveStream> {
    const container = this.engine.getContainer(id);
    try {
      const info = await container.inspect();
      const tty = info.Config.Tty === true;
      const stdin = options.stdin === true;
      if (stdin && !info.Config.OpenStdin) throw new Error(`Container ${id} was not created with its stdin open (a run with tty: true has it), so nothing can be typed into its main process.`);
      const socket = (await container.attach({ stream: true, stdin, stdout: true, stderr: true, hijack: true })) as Duplex;
      return connection(socket, tty, stdin, async (cols, rows) => {
        if (!tty) return;
        await container.resize({ w: cols, h: rows }).catch((error: unknown) => {
          if (statusOf(error) === 404 || statusOf(error) === 409) return;
          throw error;
        });
      });
    } catch (error) {
      if (isNotFound(error)) throw new ContainerNotFoundError(id);
      throw error;
    }
  }
}

/** A hijacked connection as an InteractiveStream: raw output with a TTY, multiplexed stdout/stderr frames without. */
function connection(socket: Duplex, tty: boolean, stdin: boolean, resize: (cols: number, rows: number) => Promise<void>): InteractiveStream {
  const output = tty ? rawChunks(socket) : demultiplex(socket);
  let inputEnded = !stdin;
  return {
    output,
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (inputEnded) return reject(new Error(stdin ? "Its stdin was closed already (EOF was sent)." : "It was opened without stdin."));
        if (socket.destroyed) return reject(new Error("The connection to the process is closed."));
        socket.write(data, (error) => (error ? reject(error) : resolve()));
      }),
    endInput: async () => {
      if (inputEnded) return;
      inputEnded = true;
      // Half-closes the connection: the engine closes the process's stdin, and output keeps coming.
      await new Promise<void>((resolve) => socket.end(resolve));
    },
    resize,
    close: () => {
      inputEnded = true;
      socket.destroy();
      output.destroy();
    },
  };
}

/** A TTY's raw bytes as stdout chunks, piped: while nobody reads, the engine's connection is not read either. */
function rawChunks(socket: Duplex): Readable & AsyncIterable<LogChunk> {
  const chunks = new Transform({
    readableObjectMode: true,
    transform(data: Buffer, _encoding, callback) {
      callback(null, { stream: "stdout", data } satisfies LogChunk);
    },
  });
  socket.once("error", (error) => chunks.destroy(error));
  chunks.once("close", () => socket.destroy());
  return socket.pipe(chunks);
}

/** The engine notes an exec's exit a moment after its stream ends: asked again until it has. */
async function exitCodeOf(exec: Docker.Exec): Promise<number | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect().catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    });
    if (!info) return null;
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** SIGKILLs every process in the container that carries this exec's marker (the exec'd process and its children, unless they dropped their environment). */
async function killMarked(engine: Docker, id: string, marker: string): Promise<void> {
  const script = `for d in /proc/[0-9]*; do tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx '${execMarkerVariable}=${marker}' && kill -9 "\${d#/proc/}" 2>/dev/null; done; true`;
  try {
    const exec = await engine.getContainer(id).exec({ Cmd: ["sh", "-c", script], AttachStdout: true, AttachStderr: true });
    const stream = (await exec.start({ hijack: true, stdin: false })) as Readable;
    stream.resume();
    await new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0 && ExitCode !== null) throw new Error(`the kill script exited with ${ExitCode} (the image needs sh, tr and grep)`);
  } catch (error) {
    // A stopped or removed container has no processes left to kill.
    if (isNotFound(error) || statusOf(error) === 409) return;
    throw error;
  }
}
