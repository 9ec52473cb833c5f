import { PassThrough, type Readable } from "node:stream";
import type { AttachOptions, ExecSession, InteractiveExecOptions, InteractiveManager, InteractiveStream, LogChunk } from "../types";
import type { MockBehaviour } from "./mock-runtime";

/** What the mock interactive manager needs of its runtime's containers. */
export interface MockInteractiveHost {
  record(method: string, ...args: unknown[]): void;
  /** Throws ContainerNotFoundError for an unknown container. */
  container(id: string): { running: boolean; tty: boolean; openStdin: boolean; exited: Promise<number> };
  behaviour: MockBehaviour;
}

/** Commands that read their input: the mock echoes what is written to them, as `cat` (or a terminal) would. */
const echoing = new Set(["cat", "sh", "bash"]);

/**
 * Interactive sessions for unit tests: `cat`, `sh` and `bash` echo their input until EOF
 * (exit 0) or kill (137); any other command prints what the mock's behaviour says and exits.
 * An attach to a `tty` + `openStdin` container echoes its input too. Sizes are recorded.
 */
export class MockInteractiveManager implements InteractiveManager {
  constructor(private readonly host: MockInteractiveHost) {}

  async execSession(id: string, command: string[], options: InteractiveExecOptions = {}): Promise<ExecSession> {
    this.host.record("execSession", id, command, options);
    const container = this.host.container(id);
    if (!container.running) throw new Error(`Container ${id} is not running.`);
    const stdin = options.tty === true || options.stdin === true;
    let exit: (code: number | null) => void = () => undefined;
    const exitCode = new Promise<number | null>((resolve) => (exit = resolve));
    const session = mockStream(this.host, id, stdin, (code) => exit(code));
    void container.exited.then(() => session.end(137));
    if (!echoing.has(command[0] ?? "")) {
      const program = this.host.behaviour(command);
      if (program.stdout) session.output.write({ stream: "stdout", data: Buffer.from(program.stdout) } satisfies LogChunk);
      if (program.stderr) session.output.write({ stream: options.tty ? "stdout" : "stderr", data: Buffer.from(program.stderr) } satisfies LogChunk);
      if (!program.longRunning) queueMicrotask(() => session.end(program.exitCode ?? 0));
    }
    return {
      ...session.stream,
      exitCode: () => exitCode,
      kill: async () => {
        this.host.record("killExec", id, command);
        session.end(137);
      },
    };
  }

  async attach(id: string, options: AttachOptions = {}): Promise<InteractiveStream> {
    this.host.record("attach", id, options);
    const container = this.host.container(id);
    if (!container.running) throw new Error(`Container ${id} is not running.`);
    if (options.stdin && !container.openStdin) throw new Error(`Container ${id} was not created with its stdin open, so nothing can be typed into its main process.`);
    const session = mockStream(this.host, id, options.stdin === true, () => undefined);
    void container.exited.then((code) => session.end(code));
    return session.stream;
  }
}

function mockStream(host: MockInteractiveHost, id: string, stdin: boolean, onEnd: (code: number | null) => void) {
  const output = new PassThrough({ objectMode: true });
  let ended = false;
  let inputEnded = !stdin;
  const end = (code: number | null) => {
    if (ended) return;
    ended = true;
    inputEnded = true;
    output.end();
    onEnd(code);
  };
  const stream: InteractiveStream = {
    output: output as Readable & AsyncIterable<LogChunk>,
    write: async (data) => {
      if (inputEnded) throw new Error(stdin ? "Its stdin was closed already (EOF was sent)." : "It was opened without stdin.");
      output.write({ stream: "stdout", data: Buffer.from(data) } satisfies LogChunk);
    },
    endInput: async () => {
      if (inputEnded) return;
      end(0);
    },
    resize: async (cols, rows) => host.record("resize", id, cols, rows),
    close: () => end(null),
  };
  return { output, stream, end };
}
