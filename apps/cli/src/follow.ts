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

/**
 * A follow asked at once: the server holds the answer until the run starts, so its first line
 * comes as soon as it is written instead of at the next poll. Meanwhile the spinner says what the
 * run waits for. Undefined when the server gave up waiting (CONFLICT) or the run ended unstarted.
 */
async function openFollow(client: BaileyClient, id: string): Promise<ReadableStream<Uint8Array> | undefined> {
  const opening = client.logs(id, { follow: true }).then(
    (stream) => ({ stream }),
    (error: unknown) => ({ error }),
  );
  let progress: ReturnType<typeof spinner> | undefined;
  try {
    for (;;) {
      const settled = await Promise.race([opening, sleep(500).then(() => null)]);
      if (settled && "stream" in settled) return settled.stream;
      if (settled) {
        if (settled.error instanceof BaileyApiError && settled.error.code === "CONFLICT") return undefined;
        throw settled.error;
      }
      const run = await client.getRun(id);
      if (progress) progress.update(describe(run));
      else if (!hasLogs(run)) progress = spinner(describe(run));
    }
  } finally {
    progress?.stop();
  }
}

/** Copies the run's logs to `write` (following until it ends when follow is set). */
export async function streamLogs(client: BaileyClient, id: string, follow: boolean, write: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  let stream = follow ? await openFollow(client, id) : undefined;
  if (!stream) await waitForLogs(client, id);
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
