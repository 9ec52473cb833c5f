import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { after, it, mock } from "node:test";
import type { AgentRun } from "@bailey/protocol";
import type { InteractiveStream, LogChunk, Runtime } from "@bailey/runtime";
import { RunLogFiles } from "../src/logs/run-log-file";
import { streamLogFile } from "../src/logs/stream-log-file";

// A run's first line reaches a follower when it is written, not at the next quarter-second tick:
// the log file commits the first bytes after a quiet spell at once, and run.logs.stream is woken by
// that commit rather than polling. Timers are mocked, so a poll or a trailing commit never fires
// here unless the test advances the clock: whatever arrives, arrived without one.

const dirs: string[] = [];
after(async () => {
  mock.timers.reset();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function attachedStream(): { stream: InteractiveStream; push(text: string): void } {
  const output = new PassThrough({ objectMode: true });
  return {
    stream: { output: output as unknown as InteractiveStream["output"], write: async () => undefined, endInput: async () => undefined, resize: async () => undefined, close: () => output.end() },
    push: (text) => output.write({ stream: "stdout", data: Buffer.from(text) } satisfies LogChunk),
  };
}

/** Yields until `probe` holds. Bounded by real time (performance.now, which the mocked timers leave alone): the file's I/O is real, and slow on a busy machine. */
async function until(what: string, probe: () => Promise<boolean> | boolean, withinMs = 30_000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never within ${withinMs / 1000} s: ${what}`);
}

it("the first line is committed and streamed with no timer firing; a second line within the quarter second waits for the trailing commit", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-log-latency-"));
  dirs.push(dir);
  // Date too: "within the quarter second" must not depend on how busy the machine is.
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const files = new RunLogFiles(dir, {} as Runtime);
  const { stream, push } = attachedStream();
  files.follow("r1", "container-1", stream);

  const received: string[] = [];
  const controller = new AbortController();
  const source = {
    readLog: (runId: string, offset: number, length: number) => files.read(runId, { offset, length, buildLog: null, container: "started" }),
    inspect: () => ({ state: "running" }) as AgentRun,
    watchLogCommit: (runId: string) => files.watchCommit(runId),
  };
  const streaming = streamLogFile(source, { runId: "r1", offset: 0 }, { signal: controller.signal, write: async ({ data }: { data: Buffer }) => void received.push(data.toString()) } as never);
  try {
    push("first line\n");
    await until("the first line streamed", () => received.join("") === "first line\n");

    // Within the quarter second after that commit: written, but not committed until the trailing timer.
    push("second line\n");
    await until("the second line written to the file", async () => (await stat(files.fileOf("r1"))).size === 23);
    // Had a commit been made for it, it would stream in well under this (real time; the mocked clock stands still).
    const settle = performance.now() + 300;
    while (performance.now() < settle) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received.join(""), "first line\n", "no commit yet, so nothing new streamed");
    mock.timers.tick(250);
    await until("the second line streamed after the trailing commit", () => received.join("") === "first line\nsecond line\n");
  } finally {
    controller.abort();
    mock.timers.reset();
    await streaming;
    stream.close();
    await files.stopAll();
  }
});
