import { BaileyApiError, type BaileyClient, isFinalRunState, type Run } from "@bailey/sdk";
import { CliError } from "./output";
import { spinner } from "./spinner";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * States in which a run's logs can be read: its container has started (or it ended). While it
 * is provisioning its host may not know it yet, and has no container to read.
 */
const hasLogs = (run: Run) => !["queued", "scheduled", "provisioning"].includes(run.state);

function describe(run: Run): string {
  const reason = run.state === "queued" && run.waitReason ? `: ${run.waitReason}` : "";
  return `run ${run.id} is ${run.state}${reason}`;
}

/** Waits (spinner on a terminal's stderr) until the run has reached a host or ended. */
export async function waitForLogs(client: BaileyClient, id: string): Promise<Run> {
  let run = await client.getRun(id);
  if (hasLogs(run)) return run;
  const progress = spinner(describe(run));
  try {
    while (!hasLogs(run)) {
      await sleep(500);
      run = await client.getRun(id);
      progress.update(describe(run));
    }
    return run;
  } finally {
    progress.stop();
  }
}

/** Waits until the run is in a final state (its log stream can end a moment before the state lands). */
export async function waitForEnd(client: BaileyClient, id: string): Promise<Run> {
  let run = await client.getRun(id);
  if (isFinalRunState(run.state)) return run;
  const progress = spinner(describe(run));
  try {
    while (!isFinalRunState(run.state)) {
      await sleep(300);
      run = await client.getRun(id);
      progress.update(describe(run));
    }
    return run;
  } finally {
    progress.stop();
  }
}

/** Copies the run's logs to `write` (following until it ends when follow is set). */
export async function streamLogs(client: BaileyClient, id: string, follow: boolean, write: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  await waitForLogs(client, id);
  let stream: ReadableStream<Uint8Array> | undefined;
  // Another process's state may lag the host's for a moment: the API says CONFLICT until the container is there.
  for (let attempt = 0; !stream; attempt++) {
    try {
      stream = await client.logs(id, { follow });
    } catch (error) {
      if (!(error instanceof BaileyApiError && error.code === "CONFLICT" && attempt < 20)) throw error;
      await sleep(500);
    }
  }
  const reader = stream.getReader();
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      // undici's TypeError("terminated") names the real cause (a closed socket) only in its cause.
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new CliError(`The log stream of run ${id} broke off (${cause}); \`bailey logs ${id}\` prints what there is.`);
    }
    if (next.done) return;
    await write(next.value);
  }
}

/** Writes to a stream, waiting for it to drain: following a fast run into a slow pipe stays bounded. */
export function writer(out: NodeJS.WritableStream): (chunk: Uint8Array) => Promise<void> | undefined {
  return (chunk) => (out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once("drain", () => resolve())));
}
