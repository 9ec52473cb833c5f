import { type ExecSession, type ExecStream, openExec } from "@bailey/sdk";
import { type Command, globalHelp, requireRunId } from "../command";
import { resolveCredentials } from "../config";
import { usageError } from "../output";

export const exec: Command = {
  name: "exec",
  summary: "Run a command inside a running run, like docker exec",
  help: `Usage: bailey exec [-i] [-t] RUN -- COMMAND [ARGS...]
       bailey exec -it --attach RUN

  -i, --interactive  forward stdin (its end closes the process's stdin)
  -t, --tty          a pseudo-terminal: this terminal goes raw and its size follows along
  --attach           attach to the run's main process instead (its TTY when started with tty: true)
${globalHelp} (with --json: one {"type":"output",...} object per chunk, then {"type":"exit",...})

Exits with the remote command's exit code. Needs a token with the runs:exec scope.

Examples:
  bailey exec RUN -- ls -la /workspace
  bailey exec -it RUN -- sh`,
  options: { interactive: { type: "boolean", short: "i" }, tty: { type: "boolean", short: "t" }, attach: { type: "boolean" } },
  maxPositionals: 1,
  async run(context) {
    const runId = requireRunId(context, "exec");
    const attach = context.values.attach === true;
    if (!attach && context.rest.length === 0) throw usageError("Give the command after --, e.g. bailey exec -it RUN -- sh", "exec");
    if (attach && context.rest.length) throw usageError("--attach takes no command: it joins the run's main process.", "exec");
    const interactive = context.values.interactive === true;
    const tty = context.values.tty === true;
    const terminal = tty && process.stdin.isTTY === true && !context.json;
    const size = () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
    const { url, token } = await resolveCredentials();

    const write = (stream: ExecStream, bytes: Buffer) => {
      if (context.json) process.stdout.write(`${JSON.stringify({ type: "output", stream, data: bytes.toString("utf8") })}\n`);
      else (stream === "stderr" ? process.stderr : process.stdout).write(bytes);
    };
    const session: ExecSession = await openExec({ url, token, runId, attach, tty, stdin: interactive, ...(attach ? {} : { command: context.rest }), ...size(), onOutput: write });

    const cleanups: (() => void)[] = [];
    if (terminal) {
      process.stdin.setRawMode(true);
      cleanups.push(() => process.stdin.setRawMode(false));
    }
    if (tty && process.stdout.isTTY) {
      // SIGWINCH: Node reports it as the stdout stream's resize event.
      const onResize = () => session.resize(size().cols, size().rows);
      process.stdout.on("resize", onResize);
      cleanups.push(() => process.stdout.off("resize", onResize));
    }
    if (interactive) {
      const onData = (chunk: Buffer) => session.write(chunk);
      const onEnd = () => session.eof();
      process.stdin.on("data", onData);
      process.stdin.once("end", onEnd);
      process.stdin.resume();
      cleanups.push(() => {
        process.stdin.off("data", onData);
        process.stdin.off("end", onEnd);
        process.stdin.pause();
      });
    }
    // Without a terminal, ^C reaches this process, not the remote one: end the session, as docker exec does.
    const onSigint = () => session.close();
    if (!terminal) {
      process.on("SIGINT", onSigint);
      cleanups.push(() => process.off("SIGINT", onSigint));
    }
    try {
      const exit = await session.exit;
      if (context.json) process.stdout.write(`${JSON.stringify({ type: "exit", exitCode: exit.exitCode, reason: exit.reason })}\n`);
      else if (exit.reason === "run-ended") process.stderr.write("\r\nbailey: the run ended, so the session did too.\n");
      if (exit.reason === "closed") return 130;
      return exit.exitCode ?? 1;
    } finally {
      for (const cleanup of cleanups.reverse()) cleanup();
    }
  },
};
